import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { measureByKey, measureKeys, measures } from '../../domain/measures';
import { allMeasures, drillDown, measureReport, type DrillRow, type MeasureReport } from '../../read-model/measures';
import { measureReadState } from '../../read-model/measure-rollup';
import { ServiceError } from '../../services/errors';
import { formatQuery, jsonOrTable, sendTable, type Column } from '../export';
import { periodQuery, resolveScope } from '../scope';
import { errorResponses } from '../responses';
import { drillDown as drillDownAnswer, measureAnswer, measureCatalogue, measureList } from '../schemas';
import type { ApiDeps } from '../context';

const measureParams = z.object({ key: z.string().regex(/^[a-z0-9_]{1,60}$/).describe('a measure key (GET /api/measures-catalogue), e.g. leader_review_rate') });

const fmt = (v: number | null) => (v === null ? null : v);

const measureColumns: Column<MeasureReport>[] = [
  { header: 'key', value: (m) => m.key },
  { header: '指标 measure', value: (m) => m.name },
  { header: 'numerator', value: (m) => m.numerator },
  { header: 'denominator', value: (m) => m.denominator },
  { header: 'value', value: (m) => fmt(m.value) },
  { header: 'target', value: (m) => m.targetValue },
  { header: 'target rule', value: (m) => (m.target ? (m.target.kind === 'atLeast' ? `≥ ${m.target.value}` : `−${m.target.percent}% vs ${m.baseline?.year}`) : null) },
  { header: 'status', value: (m) => m.status },
  { header: 'numerator formula', value: (m) => m.formula.numerator },
  { header: 'denominator formula', value: (m) => m.formula.denominator },
];

const drillColumns: Column<DrillRow>[] = [
  { header: 'ref', value: (r) => r.ref },
  { header: 'caseNo', value: (r) => r.caseNo },
  { header: 'category', value: (r) => r.cat },
  { header: 'numerator', value: (r) => r.num },
  { header: 'denominator', value: (r) => r.den },
  { header: 'status', value: (r) => r.status },
  { header: 'divisionCode', value: (r) => r.divisionCode },
  { header: 'unitId', value: (r) => r.unitId },
  { header: 'registeredAt', value: (r) => r.registeredAt },
];

/** The supervisor's measures (domain.md §6): every figure with its formula and target, and the matters behind it. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const opts = { baselineYear: deps.config.CAMPAIGN_BASELINE_YEAR };

  app.get(
    '/measures',
    {
      schema: {
        tags: ['measures'],
        summary: 'Every measure for a period and jurisdiction, with its formula, target, status and monthly series',
        querystring: periodQuery.extend({
          format: formatQuery,
          series: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').describe('include the monthly series'),
        }),
        response: { 200: jsonOrTable(measureList), ...errorResponses(404) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'readMeasures');
      const scope = resolveScope(app, req, req.query);
      const params = { ...scope, leaderReviewChannels: deps.config.LEADER_REVIEW_CHANNELS };
      const { items, aggregates } = await allMeasures(db, params, { ...opts, series: req.query.series && req.query.format === 'json' });
      if (req.query.format !== 'json') return sendTable(reply, req.query.format, `measures-${scope.divisionCode}-${scope.from}-${scope.to}`, measureColumns, items);
      return { from: scope.from, to: scope.to, divisionCode: scope.divisionCode, baselineYear: opts.baselineYear, aggregates, items };
    },
  );

  app.get(
    '/measures/:key',
    { schema: { tags: ['measures'], summary: 'One measure', params: measureParams, querystring: periodQuery, response: { 200: measureAnswer } } },
    async (req) => {
      app.requirePermission(req, 'readMeasures');
      const def = measureByKey(req.params.key);
      if (!def) throw new ServiceError(404, 'NotFound', `no measure ${req.params.key}; known: ${measureKeys.join(', ')}`);
      const scope = resolveScope(app, req, req.query);
      const params = { ...scope, leaderReviewChannels: deps.config.LEADER_REVIEW_CHANNELS };
      const state = def.daily || def.fromDayFacts ? await measureReadState(db, params) : undefined;
      return { ...(await measureReport(db, def, params, { ...opts, state })), aggregates: state ? { pending: state.pending, direct: state.direct } : null };
    },
  );

  app.get(
    '/measures/:key/matters',
    {
      schema: {
        tags: ['measures'],
        summary: 'The rows (and matters) behind a measure’s numerator or denominator',
        params: measureParams,
        querystring: periodQuery.extend({
          side: z.enum(['numerator', 'denominator']).default('numerator'),
          limit: z.coerce.number().int().min(1).max(5000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
          format: formatQuery,
        }),
        response: { 200: jsonOrTable(drillDownAnswer) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'readMeasures');
      const def = measureByKey(req.params.key);
      if (!def) throw new ServiceError(404, 'NotFound', `no measure ${req.params.key}; known: ${measureKeys.join(', ')}`);
      const scope = resolveScope(app, req, req.query);
      const { side, limit, offset, format } = req.query;
      const result = await drillDown(db, def, { ...scope, leaderReviewChannels: deps.config.LEADER_REVIEW_CHANNELS }, side, { limit, offset });
      if (format !== 'json') return sendTable(reply, format, `${def.key}-${side}-${scope.divisionCode}-${scope.from}-${scope.to}`, drillColumns, result.items);
      return { key: def.key, name: def.name, side, formula: side === 'numerator' ? def.numerator : (def.denominator ?? def.numerator), from: scope.from, to: scope.to, divisionCode: scope.divisionCode, ...result };
    },
  );

  app.get('/measures-catalogue', { schema: { tags: ['measures'], summary: 'Every measure’s definition and target', response: { 200: measureCatalogue } } }, async (req) => {
    app.requirePermission(req, 'readMeasures');
    return { items: measures.map(({ rows: _rows, ...d }) => d) };
  });
};
export default routes;
