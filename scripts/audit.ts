// `npm run audit:verify`: walks the audit log's hash chain (services/audit.ts) and prints the report; exit status 1
// when the chain is broken, naming the first broken row. `npm run audit:purge`: removes rows older than
// AUDIT_RETENTION_DAYS (at least 183) and records the purge in the chain. Same database variables as the service;
// on the embedded PGlite, run it while the service is stopped (PGlite is one process's database).
import { userInfo } from 'node:os';
import { loadConfigOrExit } from '../config';
import { openReadModel } from '../services/bootstrap';
import { purgeAudit, verifyAuditChain } from '../services/audit';

const command = process.argv[2];
if (command !== 'verify' && command !== 'purge') {
  console.error('usage: tsx scripts/audit.ts verify|purge');
  process.exit(2);
}
const config = loadConfigOrExit();
const database = await openReadModel(config);
try {
  if (command === 'verify') {
    const report = await verifyAuditChain(database.db);
    console.log(JSON.stringify(report, null, 2));
    if (!report.ok) console.error(`audit log tampered with: row id ${report.broken!.id} (seq ${report.broken!.seq}): ${report.broken!.reason}`);
    process.exitCode = report.ok ? 0 : 1;
  } else {
    const result = await purgeAudit(database.db, config.AUDIT_RETENTION_DAYS, `cli:${userInfo().username}`);
    console.log(JSON.stringify({ retentionDays: config.AUDIT_RETENTION_DAYS, ...result }, null, 2));
  }
} finally {
  await database.close();
}
