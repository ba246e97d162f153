// The console's typed client (web/src/api/schema.d.ts) is generated from the API's OpenAPI document. When a route,
// parameter or body changes, this fails until `npm run gen:client` regenerates it, so the console and the API cannot
// drift apart unnoticed.
import { describe, expect, it } from 'vitest';
import { clientSchemaSource, committedClientSchema } from '../../scripts/openapi';

describe("the console's generated API client", () => {
  it('matches the API as it is now (run `npm run gen:client` when this fails)', async () => {
    const fresh = await clientSchemaSource();
    expect(fresh).toContain('"/api/tasks"');
    expect(committedClientSchema() === fresh, 'web/src/api/schema.d.ts is stale: run `npm run gen:client` and commit it').toBe(true);
  });
});
