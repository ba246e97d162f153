import { loadConfig } from '../../config';
import { codecDataConverter, codecFor, type EncryptionCodec } from '../../lib/codec';

/**
 * The payload codec of the test environments: this test process's own key (lib/codec.ts codecKeysFor with
 * NODE_ENV=test), the same for every client and worker of the process, so the suites run with encrypted histories
 * as production does.
 */
export function testCodec(): EncryptionCodec {
  return codecFor(loadConfig({ NODE_ENV: 'test' }));
}

let plain = false;
/**
 * For scripts/record-histories.ts only: the environments it then creates write payloads unencrypted. Stored
 * histories (test/histories) must replay in any checkout, which has no key; replay.test.ts replays them through
 * the codec, which passes unencrypted payloads through, as it does for matters started before encryption.
 */
export function recordPlainHistories(): void {
  plain = true;
}
export const testClientDataConverter = () => (plain ? {} : codecDataConverter(testCodec()));
export const testWorkerDataConverter = () => (plain ? {} : codecDataConverter(testCodec()));
