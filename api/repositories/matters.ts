import { eq, inArray, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { unitRoles, type Principal } from '../../domain/access';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { petitions } from '../../db/schema';
import type { Db } from '../../db/client';
import { ServiceError } from '../../services/errors';

/** Loads a matter and checks the caller may see it: 404 if unknown, 403 outside their jurisdiction. */
export async function loadMatter(app: FastifyInstance, db: Db, req: FastifyRequest, caseNo: string): Promise<typeof petitions.$inferSelect> {
  const [row] = await db.select().from(petitions).where(eq(petitions.caseNo, caseNo));
  if (!row) throw new ServiceError(404, 'NotFound', `no matter ${caseNo}`);
  app.requireJurisdiction(req, row);
  return row;
}

/**
 * domain/access.ts inJurisdiction as a SQL condition, for lists: a unit's users see the rows with their unit,
 * bureau users the rows located in their division or below, an admin everything (undefined: no condition).
 */
export function jurisdictionWhere(app: FastifyInstance, p: Principal, cols: { unitId: PgColumn; divisionCode: PgColumn }): SQL | undefined {
  if (p.role === 'admin') return undefined;
  if (unitRoles.includes(p.role)) return eq(cols.unitId, p.unitId ?? '-');
  return inArray(cols.divisionCode, app.divisionsUnder(p.divisionCode ?? '-'));
}
