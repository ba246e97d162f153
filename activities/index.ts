import { ApplicationFailure } from '@temporalio/activity';
import { computeRequested } from '../domain/deadline';
import { CalendarUnknownYearError } from '../domain/calendar';
import { NoSuchLimitError } from '../domain/rules';
import { renderNotice } from '../domain/notices';
import type { Db } from '../db/client';
import { loadCalendar } from '../read-model/calendar';
import { projectEscalation, projectPetition } from '../read-model/projection';
import { notices } from '../db/schema';
import type { PetitionActivities } from './types';

export interface ActivityDeps {
  db: Db;
}

export function createActivities({ db }: ActivityDeps): PetitionActivities {
  return {
    async computeDeadline(req) {
      try {
        return computeRequested(req, await loadCalendar(db));
      } catch (err) {
        // Business refusals are final: retrying will not make a calendar year known.
        if (err instanceof CalendarUnknownYearError) throw ApplicationFailure.nonRetryable(err.message, 'CalendarUnknownYear');
        if (err instanceof NoSuchLimitError || err instanceof RangeError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
        throw err;
      }
    },

    async project(req) {
      await projectPetition(db, req);
    },

    async projectOverlay(req) {
      await projectEscalation(db, req);
    },

    async fileNotice(req) {
      const { title, body, legalBasis } = renderNotice(req);
      await db
        .insert(notices)
        .values({ id: req.id, caseNo: req.caseNo, kind: req.kind, title, body, legalBasis, issuedAt: new Date(req.issuedAt), issuedBy: req.issuedBy })
        .onConflictDoNothing();
    },
  };
}
