import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { ConfigError, parseCodecKeys, type AppConfig, type CodecKeys } from '../config';

/**
 * Payload encryption at rest (issue 10 item 4): every payload a client or worker sends to Temporal — workflow inputs,
 * activity arguments and results, signals, updates, queries' answers, memos, failures' messages — is the whole
 * serialized payload encrypted with AES-256-GCM under the active key. The shape follows the Temporal TypeScript
 * SDK's encryption sample: metadata `encoding: binary/encrypted` and `encryption-key-id`, data = IV ‖ ciphertext ‖
 * tag. The key id is also the cipher's additional authenticated data, so a relabelled payload fails like a tampered
 * one. Search attributes are not payload-codec'd by the SDK and stay readable (they hold no personal data).
 */
// The Payload message of the SDK's own @temporalio/proto (reached through @temporalio/common, a direct dependency;
// a CommonJS module whose named exports ESM cannot see).
const requireFromCommon = createRequire(createRequire(import.meta.url).resolve('@temporalio/common'));
const { temporal } = requireFromCommon('@temporalio/proto') as typeof import('@temporalio/proto');

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: CodecKeys) {
    const map = new Map(Object.entries(keys.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')] as const));
    for (const [id, key] of map) if (key.length !== KEY_BYTES) throw new Error(`codec key ${id}: ${key.length} bytes, AES-256 needs ${KEY_BYTES}`);
    if (!map.has(keys.activeKeyId)) throw new Error(`codec: the active key ${keys.activeKeyId} is not among the keys`);
    this.keys = map;
    this.activeKeyId = keys.activeKeyId;
  }

  /** The key new payloads are encrypted with; the others only decrypt. */
  readonly activeKeyId: string;

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  /** True for a payload this codec wrote (the others, e.g. histories recorded before encryption, pass through). */
  static isEncrypted(payload: Payload): boolean {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    return !!encoding && utf8Decode(encoding) === ENCRYPTED_ENCODING;
  }

  /** The key id an encrypted payload names (undefined for a plain one). */
  static keyIdOf(payload: Payload): string | undefined {
    const id = payload.metadata?.[KEY_ID_METADATA];
    return EncryptionCodec.isEncrypted(payload) && id ? utf8Decode(id) : undefined;
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(keyId)!, iv);
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8Encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8Encode(keyId) },
      data: new Uint8Array(data),
    };
  }

  private decrypt(payload: Payload): Payload {
    if (!EncryptionCodec.isEncrypted(payload)) return payload;
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes) throw new ValueError('an encrypted payload without an encryption key id');
    const keyId = utf8Decode(keyIdBytes);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new ValueError(
        `a payload was encrypted with the key "${keyId}", which is not configured (known: ${this.keyIds.join(', ')}). ` +
          'Keys that encrypted stored histories must stay in TEMPORAL_CODEC_KEYS.',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError(`an encrypted payload (key "${keyId}") is too short`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new ValueError(`an encrypted payload (key "${keyId}") failed authentication: tampered, or not written with this key`);
    }
  }
}

/** A fresh random AES-256 key, base64. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Where a development process keeps its generated key. */
export function devKeyFile(dataDir: string): string {
  return join(dataDir, 'codec-keys.json');
}

/**
 * A development key file under DATA_DIR, created (mode 0600) with one random key on first use and read afterwards,
 * so matters written by one `npm start` still decrypt at the next. Two processes starting at once: one creates the
 * file (O_EXCL), the other reads it.
 */
export function loadOrCreateDevKeys(dataDir: string): CodecKeys {
  const file = devKeyFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  try {
    const id = `dev-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    const keys: CodecKeys = { activeKeyId: id, keys: { [id]: generateKey() } };
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(keys, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    return keys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not a codec key file (${(err as Error).message}); delete it only if no matter was encrypted with it`);
  }
  const p = parsed as Partial<CodecKeys>;
  if (!p || typeof p.activeKeyId !== 'string' || typeof p.keys !== 'object' || !p.keys) throw new ConfigError(`${file}: expected { activeKeyId, keys: { id: base64 } }`);
  const asEnv = Object.entries(p.keys).map(([id, key]) => `${id}:${String(key)}`).join(',');
  return parseCodecKeys(asEnv, p.activeKeyId, file);
}

/** One key per test process (NODE_ENV=test without keys): nothing is written, and no two suites share a key. */
let testKeys: CodecKeys | undefined;

/**
 * The keys of this process: TEMPORAL_CODEC_KEYS / TEMPORAL_CODEC_ACTIVE_KEY when given; else, in development, the
 * key file under DATA_DIR; in a test process, a key of its own. A production process without keys never gets here:
 * loadConfig refuses it.
 */
export function codecKeysFor(config: AppConfig): CodecKeys {
  if (config.codecKeys) return config.codecKeys;
  if (config.NODE_ENV === 'test') {
    testKeys ??= { activeKeyId: 'test', keys: { test: generateKey() } };
    return testKeys;
  }
  if (!config.development) throw new ConfigError('TEMPORAL_CODEC_KEYS: required outside development');
  return loadOrCreateDevKeys(config.DATA_DIR);
}

const codecs = new Map<string, EncryptionCodec>();
/** The codec of this configuration (one per key set). */
export function codecFor(config: AppConfig): EncryptionCodec {
  const keys = codecKeysFor(config);
  const cacheKey = JSON.stringify(keys);
  let codec = codecs.get(cacheKey);
  if (!codec) codecs.set(cacheKey, (codec = new EncryptionCodec(keys)));
  return codec;
}

export const failureConverterPath = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

/**
 * The data converter of every client and worker: the codec, and the failure converter by path (the workflow
 * bundle loads it too) so that failures' messages are encoded, and thus encrypted.
 */
export function codecDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
