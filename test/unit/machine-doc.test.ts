// docs/STATE_MACHINE.md is generated from the transition table: it must say what the table says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderStateMachine } from '../../domain/machine-doc';

describe('docs/STATE_MACHINE.md', () => {
  it('is what `npm run docs:machine` writes from domain/machine.ts (run it after changing the table)', () => {
    const doc = readFileSync(new URL('../../docs/STATE_MACHINE.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderStateMachine());
    expect(doc).toContain('| `accept` 受理 | `unit_handler`, `unit_head`, `admin` (own unit) | `AWAITING_ACCEPTANCE` | `IN_HANDLING` | `acceptance` | `objection` | `handling` | `acceptance` |');
  });
});
