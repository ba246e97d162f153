import { z } from 'zod';

/** 信访件编号 as intake makes it (services/intake.ts caseNoCounter): LS, the registration date, a daily sequence. */
export const caseNoSchema = z
  .string()
  .regex(/^LS20\d{6}\d{5,7}$/, 'a case number: LS, the registration date (YYYYMMDD), a 5-digit sequence, e.g. LS2026112700001')
  .describe('信访件编号, e.g. LS2026112700001');

/** Route parameters shared by every route that names them. */
export const caseParams = z.object({ caseNo: caseNoSchema });
export const escalationParams = z.object({ id: z.string().min(5).max(200).describe("the escalation's workflow id (its list gives it)") });
export const noticeParams = z.object({ id: z.string().min(1).max(80).describe('the notice id, e.g. LS2026112700001-N3') });
/** A plain identifier in a path (a digest, a group issue, a measure key). */
export const idParams = z.object({ id: z.string().min(1).max(120) });

/** Paging of every list: page numbers now; the helper (repositories/list.ts) is ready for a keyset cursor. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');
