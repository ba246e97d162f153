#!/usr/bin/env node
// Guards postgres.js (3.4.x) against writing to a connection whose socket is gone. Its small writes are deferred with
// setImmediate; when PostgreSQL goes away in between (a restart, a crash, a dropped connection), the deferred write
// runs on a socket that close() has set to null and throws a TypeError from the timer — an uncaught exception that
// ends the whole process (`npm run chaos` saw the API die on `pg_ctl restart -m immediate`; upstream: porsager/postgres
// issues 1066, 1154, 1208, unreleased). The guard drops the write and fails the connection's pending queries with
// CONNECTION_CLOSED instead, which callers see as an ordinary, retryable connection error (503 from the API).
// Run by postinstall and by the Dockerfile (which installs with --ignore-scripts); idempotent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* lishui: guarded nextWrite */';
const before = `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`;
const after = `  function nextWrite(fn) {
    ${MARK}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`;

let patched = 0;
for (const rel of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const file = join(root, 'node_modules', 'postgres', rel);
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  if (text.includes(MARK)) continue;
  if (!text.includes(before)) {
    console.warn(`[patch-postgres] ${rel}: nextWrite not as expected (a new postgres version?); not patched`);
    continue;
  }
  writeFileSync(file, text.replace(before, after));
  patched += 1;
}
if (patched) console.log(`[patch-postgres] guarded nextWrite in ${patched} file(s) of postgres`);
