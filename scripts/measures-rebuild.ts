// `npm run measures:rebuild`: rebuilds the measures' daily aggregates from the read model in one transaction. Needed
// after a bulk load that bypassed the triggers (a restore, bench:scale) or after LEADER_REVIEW_CHANNELS changes;
// otherwise the triggers and the rollup loop keep the aggregates exact on their own.
import { performance } from 'node:perf_hooks';
import { loadConfigOrExit } from '../config';
import { openReadModel } from '../services/bootstrap';
import { rebuildMeasureAggregates } from '../read-model/measure-rollup';
import { queryRows } from '../read-model/rows';
import { sql } from 'drizzle-orm';

const config = loadConfigOrExit();
const database = await openReadModel(config);
try {
  const started = performance.now();
  await rebuildMeasureAggregates(database.db, config.LEADER_REVIEW_CHANNELS);
  const [r] = await queryRows<{ buckets: number; matters: number }>(
    database.db,
    sql`select (select count(*) from measure_daily)::int as buckets, (select count(*) from measure_contributions)::int as matters`,
  );
  console.log(`measure aggregates rebuilt: ${r!.matters} matters in ${r!.buckets} daily buckets (${((performance.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  await database.close();
}
