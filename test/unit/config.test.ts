import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEV_SECRET, loadConfig } from '../../config';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const servers = { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'postgres://u:p@127.0.0.1:1/petitions' };
const secret = 'a-real-secret-0123456789abcdef';
// Outside development payload codec keys are required too (test/unit/codec.test.ts).
const codecKeys = { TEMPORAL_CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };

describe('configuration: a process given servers is not development unless told so', () => {
  it('npm start on the embedded defaults is development: the dev login is on with the development secret', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ development: true, AUTH_DEV_LOGIN: true, JWT_SECRET: DEV_SECRET });
  });

  it.each([
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: servers.TEMPORAL_ADDRESS }],
    ['DATABASE_URL', { DATABASE_URL: servers.DATABASE_URL }],
    ['both', servers],
  ])('given %s and no JWT_SECRET, it refuses to start', (_what, env) => {
    expect(() => loadConfig(env)).toThrow(/JWT_SECRET: required/);
  });

  it('given servers and a real secret, the dev login is off by default', () => {
    const c = loadConfig({ ...servers, JWT_SECRET: secret, ...codecKeys });
    expect(c).toMatchObject({ development: false, AUTH_DEV_LOGIN: false, JWT_SECRET: secret });
  });

  it('given servers, the dev login asked for is refused, and so is the public development secret', () => {
    expect(() => loadConfig({ ...servers, JWT_SECRET: secret, AUTH_DEV_LOGIN: 'true' })).toThrow(/AUTH_DEV_LOGIN: the development login is refused/);
    expect(() => loadConfig({ ...servers, JWT_SECRET: DEV_SECRET })).toThrow(/public development secret is refused/);
  });

  it('NODE_ENV=production refuses the dev login even without servers', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, AUTH_DEV_LOGIN: '1' })).toThrow(/AUTH_DEV_LOGIN/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, ...codecKeys }).AUTH_DEV_LOGIN).toBe(false);
  });

  it('NODE_ENV=development set explicitly allows a development stack on servers', () => {
    const c = loadConfig({ ...servers, NODE_ENV: 'development' });
    expect(c).toMatchObject({ development: true, AUTH_DEV_LOGIN: true });
  });

  it('a token lifetime over 8 hours is refused', () => {
    expect(() => loadConfig({ TOKEN_TTL_MINUTES: '481' })).toThrow(/TOKEN_TTL_MINUTES/);
    expect(loadConfig({}).TOKEN_TTL_MINUTES).toBe(480);
  });

  it.each([['api', 'api/server.ts'], ['worker', 'worker/main.ts']])('`npm run %s` given servers without a secret exits 2 with the reason, before connecting', (_what, entry) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...servers };
    const r = spawnSync(resolve(repoRoot, 'node_modules/.bin/tsx'), [entry], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/JWT_SECRET: required/);
    expect(r.stderr).toMatch(/TEMPORAL_CODEC_KEYS: required/);
    const withDevLogin = spawnSync(resolve(repoRoot, 'node_modules/.bin/tsx'), [entry], { cwd: repoRoot, env: { ...env, JWT_SECRET: secret, AUTH_DEV_LOGIN: 'true' }, encoding: 'utf8', timeout: 60_000 });
    expect(withDevLogin.status).toBe(2);
    expect(withDevLogin.stderr).toMatch(/development login is refused/);
  });
});
