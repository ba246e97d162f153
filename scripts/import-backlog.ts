/**
 * npm run import:backlog -- FILE [--year 2018] [--assigned-on 2018-01-01] [--api URL --token TOKEN]
 *
 * Imports historic backlog from a CSV shaped like the 2018 leader-area table — the same service as
 * POST /api/admin/backlog/import: validated whole, refused whole with each bad line named, idempotent.
 * Without --api it writes directly: it needs TEMPORAL_ADDRESS and DATABASE_URL (as `npm run api` does; PGlite
 * belongs to the running `npm start`, so with the embedded setup use --api with an admin token).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { ImportRefused } from '../domain/backlog';
import { importBacklog } from '../services/backlog';
import { openReadModel, requireServers, temporalClient } from '../services/bootstrap';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { year: { type: 'string' }, 'assigned-on': { type: 'string' }, api: { type: 'string' }, token: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: npm run import:backlog -- FILE [--year 2018] [--assigned-on YYYY-MM-DD] [--api URL --token TOKEN]');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const year = Number(values.year ?? basename(file).match(/(20\d\d)/)?.[1]);
if (!Number.isInteger(year)) {
  console.error('give --year (the file name has no year in it)');
  process.exit(2);
}

function report(r: { imported: boolean; cases: number; perLeader: Record<string, number>; warnings: string[] }): void {
  console.log(r.imported ? `imported ${r.cases} backlog cases` : `already imported: ${r.cases} backlog cases, nothing changed`);
  for (const [leader, n] of Object.entries(r.perLeader)) console.log(`  ${leader}\t${n}`);
  for (const w of r.warnings) console.log(`  warning: ${w}`);
}

if (values.api) {
  const q = new URLSearchParams({ year: String(year), fileName: basename(file), ...(values['assigned-on'] ? { assignedOn: values['assigned-on'] } : {}) });
  const res = await fetch(`${values.api.replace(/\/$/, '')}/api/admin/backlog/import?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${values.token ?? ''}` },
    body: text,
  });
  const body = (await res.json()) as { errors?: string[]; message?: string };
  if (res.status === 422 && body.errors) {
    console.error(`refused whole, nothing imported:\n  ${body.errors.join('\n  ')}`);
    process.exit(1);
  }
  if (!res.ok) {
    console.error(`${res.status}: ${body.message ?? JSON.stringify(body)}`);
    process.exit(1);
  }
  report(body as Parameters<typeof report>[0]);
} else {
  const config = loadConfig();
  const { temporalAddress } = requireServers(config, 'import:backlog without --api');
  const database = await openReadModel(config);
  const temporal = temporalClient(config, temporalAddress);
  try {
    report(await importBacklog({ db: database.db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, checkInDays: config.BACKLOG_CHECK_IN_DAYS, config }, text, { year, assignedOn: values['assigned-on'], importedBy: 'import:backlog', fileName: basename(file) }));
  } catch (err) {
    if (err instanceof ImportRefused) {
      console.error(`refused whole, nothing imported:\n  ${err.errors.join('\n  ')}`);
      process.exitCode = 1;
    } else throw err;
  } finally {
    await temporal.connection.close();
    await database.close();
  }
}
