import type { FastifyReply } from 'fastify';
import ExcelJS from 'exceljs';
import { z } from 'zod';

/** `?format=` of every list and measure table: JSON (default), CSV (UTF-8 with BOM, RFC 4180) or XLSX. */
export const formatQuery = z.enum(['json', 'csv', 'xlsx']).default('json');
export type ExportFormat = z.output<typeof formatQuery>;

export interface Column<R> {
  header: string;
  value: (row: R) => string | number | boolean | null | undefined;
}

type Cell = string | number | boolean | null | undefined;

/** A spreadsheet must not run what a petitioner typed: text starting with = + - @ is prefixed with '. */
function safeText(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function toCsv<R>(columns: Column<R>[], rows: R[]): string {
  const cell = (v: Cell): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'string' ? safeText(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map((c) => cell(c.header)).join(','), ...rows.map((r) => columns.map((c) => cell(c.value(r))).join(','))];
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

export async function toXlsx<R>(sheetName: string, columns: Column<R>[], rows: R[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Lishui petition service';
  const ws = wb.addWorksheet(sheetName.slice(0, 31));
  ws.addRow(columns.map((c) => c.header)).font = { bold: true };
  for (const r of rows) ws.addRow(columns.map((c) => {
    const v = c.value(r);
    return typeof v === 'string' ? safeText(v) : (v ?? null);
  }));
  ws.columns.forEach((col, i) => {
    col.width = Math.min(60, Math.max(10, columns[i]!.header.length + 2));
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sends rows as CSV or XLSX with a download name; for JSON the route answers itself. */
export async function sendTable<R>(reply: FastifyReply, format: 'csv' | 'xlsx', name: string, columns: Column<R>[], rows: R[]): Promise<FastifyReply> {
  const file = encodeURIComponent(`${name}.${format}`);
  reply.header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.${format}"; filename*=UTF-8''${file}`);
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(columns, rows));
  return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(name, columns, rows));
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/**
 * The 200 of a route with ?format=: the JSON answer (its schema), or the table as CSV or XLSX. Published with all
 * three media types, so the OpenAPI document tells the truth about a download.
 */
export function jsonOrTable<T extends z.ZodType>(schema: T, description = 'the answer as JSON, or with ?format=csv|xlsx the table as a file') {
  return {
    description,
    content: {
      'application/json': { schema },
      'text/csv': { schema: z.string().describe('CSV, UTF-8 with BOM') },
      [XLSX]: { schema: z.string().describe('an XLSX workbook') },
    },
  };
}
