import { z } from 'zod';

/** Route parameters shared by every route that names them. */
export const caseParams = z.object({ caseNo: z.string().min(3).max(40) });
export const escalationParams = z.object({ id: z.string().min(5).max(200) });
export const noticeParams = z.object({ id: z.string().min(1).max(80) });

/** Paging of every list: page numbers now; the helper (repositories/list.ts) is ready for a keyset cursor. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');
