#!/usr/bin/env node
// The console's first load, gzipped: index.html and every script, stylesheet and preload it references (the
// lazily loaded dashboard chunk is not part of it). `node scripts/web-size.mjs` prints it; the browser test checks
// it stays under 1 MB.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

export function firstLoad(distDir = dist) {
  const html = readFileSync(join(distDir, 'index.html'));
  const refs = [...html.toString().matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  const files = [{ file: 'index.html', raw: html.length, gzip: gzipSync(html, { level: 9 }).length }];
  for (const ref of new Set(refs)) {
    const body = readFileSync(join(distDir, ref));
    files.push({ file: ref, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
  }
  return { files, gzipBytes: files.reduce((n, f) => n + f.gzip, 0), rawBytes: files.reduce((n, f) => n + f.raw, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = firstLoad();
  for (const f of r.files) console.log(`${f.file.padEnd(40)} ${String(f.raw).padStart(9)} B  ${String(f.gzip).padStart(8)} B gzip`);
  console.log(`first load: ${(r.gzipBytes / 1024).toFixed(0)} KiB gzipped (${(r.rawBytes / 1024).toFixed(0)} KiB raw)`);
}
