import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig, parseCodecKeys } from '../../config';
import { codecKeysFor, devKeyFile, EncryptionCodec, ENCRYPTED_ENCODING, generateKey, KEY_ID_METADATA, loadOrCreateDevKeys } from '../../lib/codec';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const k1 = generateKey();
const k2 = generateKey();
// What a workflow's payload looks like: a three-party review session with the petitioners present.
const session = { date: '2026-10-12', place: '莲都区信访局接待室', petitionersPresent: ['王五', '李四'], notes: '信访人陈述诉求，三方逐项答复' };
const plain = (): Payload => defaultPayloadConverter.toPayload(session)!;

describe('the payload codec: AES-256-GCM with the key id in the metadata', () => {
  it('encrypts a payload so that neither the text nor a name can be read, and decrypts it to the same payload', async () => {
    const codec = new EncryptionCodec({ activeKeyId: 'k1', keys: { k1 } });
    const [enc] = await codec.encode([plain()]);
    expect(text(enc!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(enc!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(enc!.metadata!).sort()).toEqual([KEY_ID_METADATA, METADATA_ENCODING_KEY].sort());
    expect(text(enc!.data)).not.toContain('王五');
    expect(text(enc!.data)).not.toContain('莲都');
    expect(Buffer.from(enc!.data!).includes(Buffer.from('json/plain'))).toBe(false);
    const [dec] = await codec.decode([enc!]);
    expect(defaultPayloadConverter.fromPayload(dec!)).toEqual(session);
    // A fresh IV each time: the same payload twice gives two ciphertexts.
    const [again] = await codec.encode([plain()]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(enc!.data!))).toBe(false);
  });

  it('rotation: written with k1, then k2 active — old payloads still decrypt, new ones use k2; without k1 they fail loudly', async () => {
    const before = new EncryptionCodec({ activeKeyId: 'k1', keys: { k1 } });
    const [old] = await before.encode([plain()]);
    const rotated = new EncryptionCodec({ activeKeyId: 'k2', keys: { k1, k2 } });
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(session);
    const [fresh] = await rotated.encode([plain()]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect(EncryptionCodec.keyIdOf(fresh!)).toBe('k2');
    const k1Retired = new EncryptionCodec({ activeKeyId: 'k2', keys: { k2 } });
    expect(defaultPayloadConverter.fromPayload((await k1Retired.decode([fresh!]))[0]!)).toEqual(session);
    await expect(k1Retired.decode([old!])).rejects.toThrow(/encrypted with the key "k1", which is not configured \(known: k2\)/);
  });

  it('a tampered ciphertext, or a payload relabelled with another key id, fails authentication', async () => {
    const codec = new EncryptionCodec({ activeKeyId: 'k1', keys: { k1, k2 } });
    const [enc] = await codec.encode([plain()]);
    const data = Buffer.from(enc!.data!);
    data[20] = data[20]! ^ 0x01;
    await expect(codec.decode([{ ...enc!, data: new Uint8Array(data) }])).rejects.toThrow(/key "k1"\) failed authentication/);
    const relabelled = { ...enc!, metadata: { ...enc!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key "k2"\) failed authentication/);
    await expect(codec.decode([{ ...enc!, data: new Uint8Array(8) }])).rejects.toThrow(/too short/);
  });

  it('passes payloads written before encryption through unchanged (stored histories, older matters)', async () => {
    const codec = new EncryptionCodec({ activeKeyId: 'k1', keys: { k1 } });
    const p = plain();
    expect(await codec.decode([p])).toEqual([p]);
    expect(EncryptionCodec.isEncrypted(p)).toBe(false);
  });
});

describe('codec keys from configuration', () => {
  const prod = { NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-0123456789' };
  it('production refuses to start without keys, and says how to make one', () => {
    expect(() => loadConfig(prod)).toThrow(/TEMPORAL_CODEC_KEYS: required \(NODE_ENV=production\).*openssl rand -base64 32/);
  });
  it('reads id:base64 pairs and the active key; one key is active by itself', () => {
    expect(loadConfig({ ...prod, TEMPORAL_CODEC_KEYS: `k1:${k1},k2:${k2}`, TEMPORAL_CODEC_ACTIVE_KEY: 'k2' }).codecKeys).toEqual({ activeKeyId: 'k2', keys: { k1, k2 } });
    expect(loadConfig({ ...prod, TEMPORAL_CODEC_KEYS: `only:${k1}` }).codecKeys).toEqual({ activeKeyId: 'only', keys: { only: k1 } });
  });
  it.each([
    ['a key of 16 bytes', `k1:${Buffer.alloc(16).toString('base64')}`, undefined, /the key k1 must be 32 random bytes/],
    ['no id', k1, undefined, /entry 1 is not id:base64key/],
    ['two keys and no active one', `k1:${k1},k2:${k2}`, undefined, /TEMPORAL_CODEC_ACTIVE_KEY: required when TEMPORAL_CODEC_KEYS lists several keys \(k1, k2\)/],
    ['an active key not listed', `k1:${k1}`, 'k9', /k9 is not among the keys/],
    ['one id twice', `k1:${k1},k1:${k2}`, undefined, /listed twice/],
  ])('refuses %s', (_what, list, active, message) => {
    expect(() => parseCodecKeys(list, active)).toThrow(ConfigError);
    expect(() => parseCodecKeys(list, active)).toThrow(message);
  });
  it('never echoes key material in an error', () => {
    let message = '';
    try {
      parseCodecKeys(`${k1}`, undefined);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/entry 1 is not id:base64key/);
    expect(message).not.toContain(k1.slice(0, 8));
  });

  const dir = mkdtempSync(join(tmpdir(), 'codec-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('development without keys: a key is generated once under DATA_DIR (mode 0600) and reused', () => {
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    const first = codecKeysFor(config);
    expect(statSync(devKeyFile(dir)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(devKeyFile(dir), 'utf8'))).toEqual(first);
    expect(loadOrCreateDevKeys(dir)).toEqual(first);
    expect(new EncryptionCodec(first).activeKeyId).toMatch(/^dev-\d{8}$/);
  });
});
