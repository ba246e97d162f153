import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { petitions } from '../db/schema';
import type { Db } from '../db/client';
import { ServiceError } from '../services/errors';

/** Loads a matter and checks the caller may see it: 404 if unknown, 403 outside their jurisdiction. */
export async function loadMatter(app: FastifyInstance, db: Db, req: FastifyRequest, caseNo: string): Promise<typeof petitions.$inferSelect> {
  const [row] = await db.select().from(petitions).where(eq(petitions.caseNo, caseNo));
  if (!row) throw new ServiceError(404, 'NotFound', `no matter ${caseNo}`);
  app.requireJurisdiction(req, row);
  return row;
}
