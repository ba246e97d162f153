import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * docker-compose.yml is checked by the real Compose implementation: `docker compose` (v2 plugin) where it exists,
 * else Debian's `docker-compose` (1.29, which .ci/run installs with apt-get). Neither needs a Docker engine for
 * `config`, which parses, validates against the Compose schema and interpolates the file.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const composeFile = join(repoRoot, 'docker-compose.yml');

const secrets = { JWT_SECRET: 'compose-test-secret-0123456789', POSTGRES_PASSWORD: 'compose-test-password', TEMPORAL_CODEC_KEYS: 'k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' };

function findCompose(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return undefined;
}

const composeCommand = findCompose();

function compose(file: string, args: string[], env: Record<string, string | undefined>) {
  if (!composeCommand) {
    throw new Error('No Compose implementation to validate docker-compose.yml: apt-get install docker-compose');
  }
  const [cmd, ...pre] = composeCommand;
  // Only the variables given here (and PATH/HOME for the tool itself) reach the interpolation.
  const r = spawnSync(cmd!, [...pre, '--project-directory', dirname(file), '-f', file, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

describe('docker-compose.yml (production shape)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'compose-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a Compose implementation is installed to check it with', () => {
    expect(composeCommand, 'install one: apt-get install docker-compose').toBeDefined();
  });

  it('is a valid Compose file once the secrets are given', () => {
    const r = compose(composeFile, ['config', '--quiet'], secrets);
    expect(r.stderr).not.toMatch(/error|invalid|unsupported/i);
    expect(r.code, r.stderr).toBe(0);
  });

  it('runs PostgreSQL, Temporal, its Web UI, two API replicas behind a proxy and two workers', () => {
    const r = compose(composeFile, ['config', '--services'], secrets);
    expect(r.code, r.stderr).toBe(0);
    const services = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    expect(services).toEqual(expect.arrayContaining(['api', 'api-1', 'api-2', 'worker-1', 'worker-2', 'postgresql', 'temporal', 'temporal-ui']));
  });

  it('every API replica and worker runs on the same task queue; the API replicas share one recordings volume', () => {
    const r = compose(composeFile, ['config'], secrets);
    expect(r.code, r.stderr).toBe(0);
    const block = (name: string) => {
      const start = r.stdout.indexOf(`\n  ${name}:\n`);
      expect(start, `service ${name}`).toBeGreaterThan(-1);
      const rest = r.stdout.slice(start + name.length + 5);
      const end = rest.search(/\n  [a-z0-9-]+:\n|\n[a-z]/);
      return end === -1 ? rest : rest.slice(0, end);
    };
    for (const s of ['api-1', 'api-2', 'worker-1', 'worker-2']) {
      expect(block(s)).toContain('TEMPORAL_TASK_QUEUE: petitions');
      expect(block(s)).toContain('TEMPORAL_ADDRESS: temporal:7233');
    }
    for (const s of ['api-1', 'api-2']) expect(block(s)).toMatch(/recordings:\/app\/data\/recordings/);
    for (const s of ['worker-1', 'worker-2']) expect(block(s)).toMatch(/WORKER_MAX_CACHED_WORKFLOWS: '?"?500/);
    // The proxy is the one public API address and forwards to both replicas.
    expect(block('api')).toMatch(/3000/);
    expect(block('api')).toContain('deploy/nginx.conf');
  });

  it('the proxy forwards to both API replicas', () => {
    const conf = readFileSync(join(repoRoot, 'deploy', 'nginx.conf'), 'utf8');
    expect(conf).toMatch(/server api-1:3000/);
    expect(conf).toMatch(/server api-2:3000/);
    expect(conf).toMatch(/listen 3000/);
  });

  it('points the api and worker at the Temporal server and PostgreSQL, and checks the api at /health/ready', () => {
    const r = compose(composeFile, ['config'], secrets);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('TEMPORAL_ADDRESS: temporal:7233');
    expect(r.stdout).toContain(`DATABASE_URL: postgres://petitions:${secrets.POSTGRES_PASSWORD}@postgresql:5432/petitions`);
    expect(r.stdout).toContain('HOST: 0.0.0.0');
    expect(r.stdout).toContain('/health/ready');
    expect(r.stdout).toMatch(/image: postgres:16/);
  });

  it('refuses to start without a JWT secret: there is no default one', () => {
    const r = compose(composeFile, ['config', '--quiet'], { POSTGRES_PASSWORD: secrets.POSTGRES_PASSWORD });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('JWT_SECRET');
  });

  it('refuses to start without payload codec keys: payloads are encrypted at rest', () => {
    const r = compose(composeFile, ['config', '--quiet'], { JWT_SECRET: secrets.JWT_SECRET, POSTGRES_PASSWORD: secrets.POSTGRES_PASSWORD });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('TEMPORAL_CODEC_KEYS');
  });

  it('the checker does reject a malformed Compose file (so a pass above means something)', () => {
    const broken = join(scratch, 'docker-compose.yml');
    writeFileSync(broken, 'services:\n  api:\n    image: node:24\n    ports: "not-a-list"\n    healthcheck: yes-please\n');
    const r = compose(broken, ['config', '--quiet'], {});
    expect(r.code).not.toBe(0);
  });
});
