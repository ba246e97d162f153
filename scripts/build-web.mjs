#!/usr/bin/env node
// Builds the console (web/) into web/dist with Vite when its sources are newer than the last build, so that
// `npm install && npm start` serves it with no extra command. Run by npm's postinstall and by `npm start`;
// `--force` (npm run build:web) builds regardless. Without Vite (an install that omitted the dev dependencies)
// it says so and leaves the API to run alone.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const distDir = join(webDir, 'dist');
const stamp = join(distDir, '.built');
const say = (line) => console.log(`[console] ${line}`);

/** Newest modification time among the console's sources (web/ minus dist) and the domain modules it imports. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(webDir);
  walk(join(root, 'domain'));
  newest = Math.max(newest, statSync(join(root, 'package-lock.json')).mtimeMs);
  return newest;
}

export function consoleIsStale() {
  return !existsSync(stamp) || statSync(stamp).mtimeMs < newestSource();
}

export async function buildConsole({ force = false } = {}) {
  if (!force && !consoleIsStale()) return 'fresh';
  let vite;
  try {
    vite = await import('vite');
  } catch {
    say('Vite is not installed (dev dependencies omitted?): the console is not built; the API runs alone.');
    return 'skipped';
  }
  say('building web/ → web/dist …');
  // A production bundle whatever the caller's NODE_ENV (vitest sets 'test', which would bundle React's dev build).
  process.env.NODE_ENV = 'production';
  const started = Date.now();
  await vite.build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, new Date().toISOString());
  say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await buildConsole({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error('[console] build failed:', err instanceof Error ? err.message : err);
    // In postinstall a failed console build must not fail the whole install; `npm run build:web` reports it.
    process.exit(process.argv.includes('--force') ? 1 : 0);
  }
}
