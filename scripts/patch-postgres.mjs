#!/usr/bin/env node
// Two guards in postgres.js (3.4.x) against a connection lost at the wrong moment, each of which turned a PostgreSQL
// restart into the death of the whole process (`npm run chaos` saw the API and the worker die on
// `pg_ctl restart -m immediate`). Both are open upstream and unreleased; each guard turns the crash into an ordinary,
// retryable connection error on the connection's own queries (503 from the API, a retried activity in the worker).
//
// 1. nextWrite: small writes are deferred with setImmediate; when PostgreSQL goes away in between, the deferred write
//    runs on a socket that close() has set to null and throws a TypeError from the timer, an uncaught exception
//    (upstream: porsager/postgres issues 1066, 1154, 1208). The guard drops the write and fails the connection's
//    pending queries with CONNECTION_CLOSED instead.
// 2. fetchArrayTypes: every new connection first asks for the server's array types, from ReadyForQuery, which drops
//    the promise. When the connection breaks during that query (ECONNRESET, ECONNREFUSED on its reconnect, or a
//    57P01 of a stopping server), the promise rejects with nobody listening: an unhandled rejection, which ends a
//    Node process (upstream: porsager/postgres issues 279, 1192, 1205, 1223). The same error already reaches the
//    connection's waiting queries through its error path, and the next connection asks for the types again, so the
//    guard only gives the dropped promise a handler.
// Run by postinstall and by the Dockerfile (which installs with --ignore-scripts); idempotent. The second is proved
// against a real PostgreSQL by test/integration/postgres-guards.test.ts, the first by the chaos test's restart.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const guards = [
  {
    name: 'nextWrite',
    mark: '/* lishui: guarded nextWrite */',
    before: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    after: (mark) => `  function nextWrite(fn) {
    ${mark}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    name: 'fetchArrayTypes',
    mark: '/* lishui: guarded fetchArrayTypes */',
    before: `        return fetchArrayTypes()\n`,
    after: (mark) => `        return fetchArrayTypes().catch(() => undefined) ${mark}\n`,
  },
];

let patched = 0;
for (const rel of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const file = join(root, 'node_modules', 'postgres', rel);
  if (!existsSync(file)) continue;
  let text = readFileSync(file, 'utf8');
  const done = [];
  for (const g of guards) {
    if (text.includes(g.mark)) continue;
    if (!text.includes(g.before)) {
      console.warn(`[patch-postgres] ${rel}: ${g.name} not as expected (a new postgres version?); not patched`);
      continue;
    }
    text = text.replace(g.before, g.after(g.mark));
    done.push(g.name);
  }
  if (done.length) {
    writeFileSync(file, text);
    patched += done.length;
  }
}
if (patched) console.log(`[patch-postgres] ${patched} guard(s) put into postgres's connection files (nextWrite, fetchArrayTypes)`);
