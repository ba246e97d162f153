import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CalendarUnknownYearError } from '../../domain/calendar';
import { isoDate } from '../../domain/petition';
import { campaignLimitKeys, NoSuchLimitError, statutoryLimitKeys } from '../../domain/rules';
import { computeLimit } from '../../read-model/calendar';
import { ServiceError } from '../../services/errors';
import { settingsFrom } from '../../services/intake';
import type { ApiDeps } from '../context';
import { anyJson, errorResponses } from '../responses';


const query = z.object({
  limit: z.enum([...statutoryLimitKeys, ...campaignLimitKeys]).describe('the limit, e.g. handling, objection, reviewRequest'),
  start: isoDate.describe('the day of the event that starts it (not counted), YYYY-MM-DD'),
  days: z.coerce.number().int().min(1).max(365).optional().describe('a shorter length than the rule’s maximum (an extension of 20 d)'),
});

/** The deadline calculator: the workflows' own computation (read-model computeLimit), with its explanation. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get(
    '/deadlines/preview',
    { schema: { tags: ['deadlines'], summary: 'When would a limit started on a date be due, and why', querystring: query, response: { 200: anyJson('the due date with its explanation: days skipped, make-up working days, the legal basis'), ...errorResponses(422) } } },
    async (req) => {
      app.requirePermission(req, 'read');
      const { limit, start, days } = req.query;
      try {
        // The configured lengths, as intake puts them into each matter's settings.
        const { evaluationDays, investigationDays } = settingsFrom(deps.config);
        const { explanation } = await computeLimit(db, { key: limit, startDate: start, days, evaluationDays, investigationDays });
        return explanation;
      } catch (err) {
        if (err instanceof NoSuchLimitError) {
          throw new ServiceError(422, 'NoSuchLimit', err.message, { limit: `not under rule set ${err.ruleSet}` });
        }
        if (err instanceof CalendarUnknownYearError) {
          throw new ServiceError(422, 'CalendarUnknownYear', err.message, { start: `needs the ${err.year} calendar` });
        }
        if (err instanceof RangeError) throw new ServiceError(400, 'InvalidInput', err.message);
        throw err;
      }
    },
  );
};
export default routes;
