/**
 * A supervisor's read of the measures never waits behind the drain's lock (issue 11): on a real PostgreSQL server
 * (two connections, as API and worker hold), while the worker's drain or a rebuild holds the lock, a read takes the
 * lock only if it is free, drains nothing otherwise, and still answers the right figure, corrected for the matter
 * not yet rolled up. Against a read that waited for the lock, this test never gets past the read.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seed } from '../../db/seed';
import { measureByKey, type MeasureParams } from '../../domain/measures';
import { drainMeasureFacts, measureReadState, ROLLUP_LOCK } from '../../read-model/measure-rollup';
import { computeFigure, computeFigureDirect } from '../../read-model/measures';
import { fixtures } from '../support/read-model-fixtures';
import { twoConnections } from '../support/postgres';

const CHANNELS = ['letter', 'online'];

describe('the measures’ lock on a real PostgreSQL server', () => {
  const db = twoConnections({ migrated: true });

  it('a read while another process holds the drain’s lock answers at once, right, and leaves the matter marked', { timeout: 120_000 }, async () => {
    const { a, b } = db;
    await seed(a.db, { devUsers: true });
    const f = fixtures(a.db);
    // 莲都: a letter of 2 March, rolled up; then an online submission of 9 March, marked and not rolled up.
    await f.matter('LD1', { registeredAt: '2026-03-02T10:00:00+08:00' });
    await drainMeasureFacts(a.db, CHANNELS);
    await f.matter('LD2', { registeredAt: '2026-03-09T10:00:00+08:00', channel: 'online' });
    const march: MeasureParams = { from: '2026-03-01', to: '2026-03-31', divisions: ['331102'], leaderReviewChannels: CHANNELS };
    const review = measureByKey('leader_review_rate')!;

    // The worker's drain (or a rebuild) holds the lock in its transaction on the other connection.
    await b.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`);
      const state = await measureReadState(a.db, march);
      expect(state).toEqual({ pending: 1, direct: false, correct: ['LD2'] });
      const figure = await computeFigure(a.db, review, march, state);
      expect(figure).toEqual(await computeFigureDirect(a.db, review, march));
      expect(figure).toMatchObject({ numerator: 0, denominator: 2 });
    });

    // The lock free again, the next read rolls the matter up itself.
    expect(await measureReadState(a.db, march)).toEqual({ pending: 0, direct: false });
    expect(await computeFigure(a.db, review, march)).toMatchObject({ numerator: 0, denominator: 2 });
  });
});
