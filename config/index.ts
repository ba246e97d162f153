import { z } from 'zod';
import { parseListingWeights } from '../domain/sweeps';

/**
 * All configuration, read from the environment and validated in one place.
 * Every variable is listed in the README; nothing else reads process.env.
 */
const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** Bearer tokens live at most this long (issue 10: 8 hours). */
export const MAX_TOKEN_TTL_MINUTES = 8 * 60;

const leadDays = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'comma-separated whole days, e.g. "10,3"')
  .transform((s) => s.split(',').map(Number));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** host:port of a Temporal frontend; unset → `npm start` runs an embedded dev server. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('petitions'),
  /** Paths to Temporal binaries (else the project-local ones under .temporal/, else the SDK's download). */
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_TEST_SERVER_PATH: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** postgres:// URL of a PostgreSQL server; unset → embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HMAC secret for bearer tokens (HS256). Required in production and whenever servers are given. */
  JWT_SECRET: z.string().min(16).optional(),
  /** Enables POST /auth/dev-token for the seeded development users. */
  AUTH_DEV_LOGIN: bool.optional(),
  /** Lifetime of a bearer token; at most 8 hours (every token carries exp). */
  TOKEN_TTL_MINUTES: z.coerce.number().int().min(1).max(MAX_TOKEN_TTL_MINUTES).default(MAX_TOKEN_TTL_MINUTES),
  /** Failed sign-ins in a row (POST /auth/login) after which a login name is locked. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long a locked login name stays locked (then 423 with Retry-After until it expires). */
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /**
   * Days the audit log is kept before `npm run audit:purge` may remove a row: at least 183 (six months, the
   * Cybersecurity Law's minimum for network logs); the database refuses to delete younger rows whatever this says.
   */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(183, 'at least 183 days (six months)').max(36_500).default(365),
  /** Optional OIDC sign-in (a government SSO): the issuer's URL; with it, the client id, secret and redirect URI. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** This service's callback as registered at the issuer: https://<host>/auth/oidc/callback. */
  OIDC_REDIRECT_URI: z.string().url().optional(),
  /** The ID token claim whose value is the local user's id (the user must exist and be active). */
  OIDC_USER_CLAIM: z.string().min(1).default('preferred_username'),
  OIDC_SCOPE: z.string().min(1).default('openid profile'),
  /** Requests per minute and client address to the login and dev-token routes. */
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Requests per minute and client address to the other routes that need no token (health, docs, codec). */
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Reads of a full record (personal data in clear) per minute and user. */
  RATE_LIMIT_RECORD_READS_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Event-loop delay (ms) above which the API answers 503 with Retry-After instead of queueing more work; 0: off. */
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  /** Longest the API waits for one Temporal call (start, signal, query, update) before answering 503. */
  TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Fault injection for the intake crash test: kills the process at this step of intake. Development only. */
  INTAKE_CRASH_AT: z.enum(['before-insert', 'after-insert', 'after-start', 'after-response']).optional(),
  /** How often the worker's recovery loop starts the workflows of matters whose start did not complete. */
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * How often the reconciliation Schedule (services/schedules.ts) compares the read model with Temporal and repairs
   * any matter without its workflow and any running petition workflow without its matter, in minutes.
   */
  RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /** false: the scheduled reconciliation only reports (supervisors see each run); `npm run reconcile -- --repair` repairs. */
  RECONCILE_REPAIR: bool.default(true),
  /** Reminder lead times before a limit, natural days. */
  REMINDER_LEAD_DAYS: leadDays.default([10, 3]),
  /** Evaluation window after a reply is delivered, natural days (domain.md §4). */
  EVALUATION_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** Largest audio/video recording of a three-party review session accepted, in bytes (default 500 MiB). */
  RECORDING_MAX_BYTES: z.coerce.number().int().min(1024).default(500 * 1024 * 1024),
  /** Limit for an accountability investigation (一事双查), natural days. */
  INVESTIGATION_LIMIT_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Requests to the petitioner's public channel (/public/…) allowed per client address in 15 minutes. */
  PUBLIC_RATE_PER_IP: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Requests to the public channel allowed per query code in an hour (a code also locks at its 10th failure). */
  PUBLIC_RATE_PER_CODE: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Interval of the 包案 leader's check-ins on a backlog case, natural days. */
  BACKLOG_CHECK_IN_DAYS: z.coerce.number().int().min(7).max(120).default(30),
  /** 月月检: closed matters drawn per unit each month. */
  MONTHLY_SAMPLE_SIZE: z.coerce.number().int().min(1).max(100).default(3),
  /** 挂牌督办: how many of the lowest-ranked divisions are listed each quarter. */
  LISTING_BOTTOM: z.coerce.number().int().min(1).max(20).default(2),
  /** 挂牌督办: the listed division's remediation limit, natural days. */
  LISTING_REMEDIATION_DAYS: z.coerce.number().int().min(7).max(365).default(90),
  /** 挂牌督办 weights as key:weight,… (default in domain/sweeps.ts defaultListingWeights). */
  LISTING_WEIGHTS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      try {
        return parseListingWeights(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Baseline year of the campaign's reductions (domain.md §4: default the year before the campaign, 2018 → 2017). */
  CAMPAIGN_BASELINE_YEAR: z.coerce.number().int().min(2000).max(2100).default(2017),
  /** Channels whose initial submissions count as initial letters for the 阅批 rate (domain.md §4: letters and online). */
  LEADER_REVIEW_CHANNELS: z
    .string()
    .regex(/^(letter|visit|online|phone)(,(letter|visit|online|phone))*$/, 'comma-separated channels: letter, visit, online, phone')
    .default('letter,online')
    .transform((s) => s.split(',')),
  /**
   * The worker's sticky cache: matters whose workflow stays in memory between tasks. Not the number of open matters
   * a worker can hold: a matter that is not cached waits on the server (its timers, its history) and is replayed
   * when its next task comes. This bounds the worker's memory whatever the number of open matters (docs/SCALING.md).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
  /**
   * Payload codec keys (AES-256): `id:base64key,…`, each key 32 bytes. Every key that encrypted stored histories must
   * stay listed; new payloads use TEMPORAL_CODEC_ACTIVE_KEY. Required outside development (lib/codec.ts).
   */
  TEMPORAL_CODEC_KEYS: z.string().min(1).optional(),
  /** The key id new payloads are encrypted with; may be left out when TEMPORAL_CODEC_KEYS lists one key. */
  TEMPORAL_CODEC_ACTIVE_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** Origins allowed to call the codec endpoint from a browser (the Temporal Web UI), comma-separated. */
  CODEC_CORS_ORIGINS: z
    .string()
    .regex(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, 'comma-separated origins, e.g. http://127.0.0.1:8233')
    .optional()
    .transform((s) => s?.split(',')),
  /** Workflow tasks the worker runs at once (at least 2 when the cache is on). */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(40),
  /**
   * Activities (notices, the campaign's) at once, and as many local activities (deadline computations, projections):
   * the read model pool has 10 connections.
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(10),
});

export type RawConfig = z.infer<typeof configSchema>;

/** The payload codec's keys: id → base64 AES-256 key, and the id new payloads use. */
export interface CodecKeys {
  activeKeyId: string;
  keys: Record<string, string>;
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** Parses `id:base64key,…` and the active key id; throws ConfigError naming `source` and what is wrong. */
export function parseCodecKeys(list: string, active: string | undefined, source = 'TEMPORAL_CODEC_KEYS'): CodecKeys {
  const keys: Record<string, string> = {};
  for (const [n, entry] of list.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const b64 = entry.slice(colon + 1);
    if (!keyIdPattern.test(id)) throw new ConfigError(`${source}: entry ${n + 1} is not id:base64key (id: letters, digits, . _ -)`);
    if (keys[id]) throw new ConfigError(`${source}: the key id ${id} is listed twice`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || Buffer.from(b64, 'base64').length !== 32) {
      throw new ConfigError(`${source}: the key ${id} must be 32 random bytes in base64 (e.g. openssl rand -base64 32)`);
    }
    keys[id] = b64;
  }
  const ids = Object.keys(keys);
  if (ids.length === 0) throw new ConfigError(`${source}: no key`);
  const activeKeyId = active ?? (ids.length === 1 ? ids[0]! : undefined);
  if (!activeKeyId) throw new ConfigError(`TEMPORAL_CODEC_ACTIVE_KEY: required when ${source} lists several keys (${ids.join(', ')})`);
  if (!keys[activeKeyId]) throw new ConfigError(`TEMPORAL_CODEC_ACTIVE_KEY: ${activeKeyId} is not among the keys of ${source} (${ids.join(', ')})`);
  return { activeKeyId, keys };
}

export type AppConfig = RawConfig & {
  /** The payload codec's keys when configured (else lib/codec.ts codecKeysFor: a development key file). */
  codecKeys?: CodecKeys;
  JWT_SECRET: string;
  AUTH_DEV_LOGIN: boolean;
  /** True only when explicitly development/test, or on the embedded defaults (see loadConfig). */
  development: boolean;
};

/** The public development secret: never accepted outside an explicitly development (or test) process. */
export const DEV_SECRET = 'development-only-secret-change-me';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration. A process is "development" only when told so explicitly (NODE_ENV=development or test),
 * or when it runs on the embedded defaults (no TEMPORAL_ADDRESS, no DATABASE_URL: `npm start` on one machine).
 * Anything else — production, or a process given a server — needs a real JWT_SECRET and refuses the development
 * login, so an operator who starts `npm run api` against real servers never gets the public secret by default.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.OIDC_ISSUER && (!c.OIDC_CLIENT_ID || !c.OIDC_CLIENT_SECRET || !c.OIDC_REDIRECT_URI)) {
    throw new ConfigError('Invalid configuration:\n  OIDC_ISSUER: needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI as well');
  }
  const explicitlyDevelopment = env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  const givenServers = !!(c.TEMPORAL_ADDRESS || c.DATABASE_URL);
  const development = c.NODE_ENV !== 'production' && (explicitlyDevelopment || !givenServers);
  if (!development) {
    const why = c.NODE_ENV === 'production' ? 'NODE_ENV=production' : 'TEMPORAL_ADDRESS or DATABASE_URL is set and NODE_ENV is not development';
    const problems: string[] = [];
    if (!c.JWT_SECRET) problems.push(`  JWT_SECRET: required (${why}); e.g. openssl rand -hex 32`);
    else if (c.JWT_SECRET === DEV_SECRET) problems.push(`  JWT_SECRET: the public development secret is refused (${why})`);
    if (c.INTAKE_CRASH_AT) problems.push(`  INTAKE_CRASH_AT: fault injection is refused (${why})`);
    if (!c.TEMPORAL_CODEC_KEYS) {
      problems.push(`  TEMPORAL_CODEC_KEYS: required (${why}): payloads are encrypted at rest; e.g. TEMPORAL_CODEC_KEYS=k1:$(openssl rand -base64 32)`);
    }
    if (c.AUTH_DEV_LOGIN) problems.push(`  AUTH_DEV_LOGIN: the development login is refused (${why}); set NODE_ENV=development to run a development stack on servers`);
    if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  let codecKeys: CodecKeys | undefined;
  if (c.TEMPORAL_CODEC_KEYS) codecKeys = parseCodecKeys(c.TEMPORAL_CODEC_KEYS, c.TEMPORAL_CODEC_ACTIVE_KEY);
  else if (c.TEMPORAL_CODEC_ACTIVE_KEY) throw new ConfigError('Invalid configuration:\n  TEMPORAL_CODEC_ACTIVE_KEY: given without TEMPORAL_CODEC_KEYS');
  return {
    ...c,
    codecKeys,
    JWT_SECRET: c.JWT_SECRET ?? DEV_SECRET,
    AUTH_DEV_LOGIN: c.AUTH_DEV_LOGIN ?? development,
    development,
  };
}

/** loadConfig for a process entry point: prints what is wrong and exits with status 2 instead of a stack trace. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
