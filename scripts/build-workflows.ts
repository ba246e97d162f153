// `npm run build:workflows`: builds the workers' workflow bundle ahead of their start (worker/bundle.ts), so the
// first worker does not run webpack. A no-op when the cached bundle matches the sources. npm install and the
// Dockerfile run it; a worker builds it itself when it is missing or stale.
//   --quiet-fail   print a failure and exit 0 (for npm's postinstall: a workflow that does not compile must not
//                  stop npm install; the worker reports it again at start)
import { cachedWorkflowBundle } from '../worker/bundle';
import { workflowBundleSpec } from '../worker/run';
import { codecDataConverter } from '../lib/codec';
import { relative } from 'node:path';

const quietFail = process.argv.includes('--quiet-fail');
const started = performance.now();
try {
  // The workers' data converter, whose converter paths go into the bundle (the codec itself does not: any will do).
  const { failureConverterPath, payloadConverterPath } = codecDataConverter({ encode: async (p) => p, decode: async (p) => p });
  const b = await cachedWorkflowBundle(workflowBundleSpec({ failureConverterPath, payloadConverterPath }), { log: (m) => console.log(m) });
  console.log(`workflow bundle ${b.built ? 'built' : 'up to date'}: ${relative(process.cwd(), b.codePath)} (${b.inputs.length} source files, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
} catch (err) {
  console.error(`build:workflows: ${(err as Error).message}`);
  process.exit(quietFail ? 0 : 1);
}
