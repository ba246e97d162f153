/**
 * Starting backlog cases (积案) from their three sources: a matter that became new backlog, a central assignment by
 * level, and the import of historic backlog. Each case is a workflow `backlog-<id>` started with USE_EXISTING, so a
 * retried or repeated start finds the running case and changes nothing.
 */
import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { backlogCases, backlogImports, divisions, leaders, petitions, units } from '../db/schema';
import { CHECK_IN_DAYS, noFlags, parseBacklogImport, type AssigningLevel, type CrossFlags, type ParsedImport } from '../domain/backlog';
import { shanghaiDateOf } from '../domain/dates';
import { ServiceError } from './errors';
import { backlogCaseRow } from '../read-model/backlog';
import { temporalCall } from './temporal-calls';
import { backlogCaseWorkflow, type BacklogInput } from '../workflows/backlog';

export interface BacklogDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  checkInDays?: number;
  /**
   * The API's deadline on Temporal calls (services/temporal-calls.ts): with it a start that Temporal does not answer
   * ends in 503 TemporalTimeout. Without it (the worker's activities) the activity's own timeout bounds the start.
   */
  config?: { TEMPORAL_CALL_TIMEOUT_MS: number };
}

/** A closed case stays reachable this long for reopening, then its workflow completes. */
export const BACKLOG_LINGER_DAYS = 730;

export const backlogWorkflowId = (id: string) => `backlog-${id}`;

type CaseSpec = Omit<BacklogInput, 'checkInDays' | 'lingerDays' | 'carried'>;

export async function startBacklogCase(deps: BacklogDeps, spec: CaseSpec): Promise<string> {
  const workflowId = backlogWorkflowId(spec.id);
  const start = () =>
    deps.temporal.workflow.start(backlogCaseWorkflow, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ ...spec, checkInDays: deps.checkInDays ?? CHECK_IN_DAYS, lingerDays: BACKLOG_LINGER_DAYS }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
  // USE_EXISTING: a start that timed out and is tried again finds the case if the first one was taken.
  if (deps.config) await temporalCall({ temporal: deps.temporal, config: deps.config }, `starting ${workflowId}`, start);
  else await start();
  return workflowId;
}

/**
 * A matter became new backlog (新增积案: past a statutory limit, petitioned again): its backlog case, id
 * `new-<caseNo>`, assigned on a rolling basis at the level of the matter's division, with the reason.
 */
export async function startNewBacklogCase(deps: BacklogDeps, m: { caseNo: string; at: string; reason: string }): Promise<string> {
  const [row] = await deps.db
    .select({ divisionCode: petitions.divisionCode, unitId: petitions.unitId, level: divisions.level })
    .from(petitions)
    .innerJoin(divisions, eq(divisions.code, petitions.divisionCode))
    .where(eq(petitions.caseNo, m.caseNo));
  if (!row) throw new Error(`no matter ${m.caseNo} in the read model`);
  const assigningLevel: AssigningLevel = row.level === 'city' || row.level === 'province' ? 'city' : 'county';
  const assignedOn = shanghaiDateOf(m.at);
  return startBacklogCase(deps, {
    id: `new-${m.caseNo}`,
    source: 'new_backlog',
    assigningLevel,
    assigningBody: null,
    assignedOn,
    reason: m.reason,
    divisionCode: row.divisionCode,
    unitId: row.unitId,
    areaName: null,
    leaderName: null,
    leaderMissing: false,
    caseNos: [m.caseNo],
    targetDate: null,
    flags: noFlags(),
  });
}

/** 上级交办: a case assigned by the national bureau, the province, the city or the county, with body and date. */
export async function assignCentralBacklog(
  deps: BacklogDeps,
  body: { assigningLevel: AssigningLevel; assigningBody: string; assignedOn: string; divisionCode: string; unitId?: string; reason: string; caseNos: string[]; leaderName?: string; targetDate?: string; flags?: CrossFlags },
  idemKey: string,
): Promise<{ id: string; workflowId: string }> {
  const [div] = await deps.db.select().from(divisions).where(eq(divisions.code, body.divisionCode));
  if (!div) throw new ServiceError(404, 'NotFound', `no division ${body.divisionCode}`);
  if (body.unitId && !(await deps.db.select().from(units).where(eq(units.id, body.unitId))).length) throw new ServiceError(404, 'NotFound', `no unit ${body.unitId}`);
  if (body.caseNos.length) {
    const known = await deps.db.select({ caseNo: petitions.caseNo }).from(petitions).where(inArray(petitions.caseNo, body.caseNos));
    const missing = body.caseNos.filter((c) => !known.some((k) => k.caseNo === c));
    if (missing.length) throw new ServiceError(404, 'NotFound', `no matter ${missing.join(', ')}`);
  }
  const id = `central-${body.assigningLevel}-${createHash('sha256').update(idemKey).digest('hex').slice(0, 12)}`;
  const workflowId = await startBacklogCase(deps, {
    id,
    source: 'central_assignment',
    assigningLevel: body.assigningLevel,
    assigningBody: body.assigningBody,
    assignedOn: body.assignedOn,
    reason: body.reason,
    divisionCode: body.divisionCode,
    unitId: body.unitId ?? null,
    areaName: null,
    leaderName: body.leaderName ?? null,
    leaderMissing: false,
    caseNos: body.caseNos,
    targetDate: body.targetDate ?? null,
    flags: body.flags ?? noFlags(),
  });
  return { id, workflowId };
}

export interface ImportResult {
  imported: boolean;
  importId: string;
  cases: number;
  perLeader: Record<string, number>;
  areasWithoutCases: ParsedImport['areasWithoutCases'];
  warnings: string[];
}

/**
 * Imports historic backlog from a CSV shaped like the 2018 leader-area table. The file is validated whole
 * (ImportRefused names each bad line; nothing is written). The same file again changes nothing: the cases have
 * ids derived from their line, the import record is keyed by the file's sha-256, and the starts are USE_EXISTING
 * (so a second import also finishes one that stopped half-way).
 */
export async function importBacklog(
  deps: BacklogDeps,
  text: string,
  opts: { year: number; assignedOn?: string; importedBy: string; fileName?: string },
): Promise<ImportResult> {
  const divs = await deps.db.select().from(divisions);
  const us = await deps.db.select().from(units);
  const parsed = parseBacklogImport(text, opts.year, {
    divisions: new Map(divs.map((d) => [d.name, d.code])),
    units: new Map(us.map((u) => [u.id, { name: u.name, divisionCode: u.divisionCode }])),
  });
  const sha256 = createHash('sha256').update(text.replace(/^\ufeff/, '').replace(/\r\n/g, '\n')).digest('hex');
  const importId = `import-${opts.year}-${sha256.slice(0, 12)}`;
  const assignedOn = opts.assignedOn ?? `${opts.year}-01-01`;
  const [already] = await deps.db.select().from(backlogImports).where(eq(backlogImports.sha256, sha256));

  const leaderRows = [...new Map(parsed.cases.filter((c) => c.leaderName).map((c) => [c.leaderName!, c])).values()].map((c) => ({
    id: leaderId(c.leaderName!),
    name: c.leaderName!,
    title: c.leaderIsTitle ? c.leaderName : null,
    level: 'city' as const,
    divisionCode: '331100',
  }));
  const specs: CaseSpec[] = parsed.cases.map((c) => ({
    id: c.id,
    source: 'import',
    assigningLevel: 'city',
    assigningBody: `丽水市委办公室、市政府办公室（${opts.year}年度市领导包片督查信访积案表）`,
    assignedOn,
    reason: `${opts.year}年度市领导包片督查信访积案${c.note ? `；${c.note}` : ''}`,
    divisionCode: c.divisionCode,
    unitId: c.unitId,
    areaName: c.areaName,
    leaderName: c.leaderName,
    leaderMissing: c.leaderMissing,
    caseNos: [],
    targetDate: null,
    flags: noFlags(),
  }));
  if (!already) {
    await deps.db.transaction(async (tx) => {
      if (leaderRows.length) await tx.insert(leaders).values(leaderRows).onConflictDoNothing();
      // The rows exist before the workflows' first projection, so the register is complete even while they start.
      await tx
        .insert(backlogCases)
        .values(
          specs.map((s) => ({
            ...backlogCaseRow(s, backlogWorkflowId(s.id)),
            leaderId: s.leaderName ? leaderId(s.leaderName) : null,
            status: 'open' as const,
            state: {},
          })),
        )
        .onConflictDoNothing();
      await tx.insert(backlogImports).values({ id: importId, sha256, fileName: opts.fileName ?? null, year: opts.year, cases: specs.length, importedBy: opts.importedBy, detail: { areasWithoutCases: parsed.areasWithoutCases, warnings: parsed.warnings } });
    });
  }
  for (const s of specs) await startBacklogCase(deps, s);
  const perLeader: Record<string, number> = {};
  for (const c of parsed.cases) perLeader[c.leaderName ?? '（未填）'] = (perLeader[c.leaderName ?? '（未填）'] ?? 0) + 1;
  return { imported: !already, importId, cases: specs.length, perLeader, areasWithoutCases: parsed.areasWithoutCases, warnings: parsed.warnings };
}

/** A stable id for a leader named in an import (names are not unique keys elsewhere, but are within a table). */
export function leaderId(name: string): string {
  return `leader-${createHash('sha256').update(name).digest('hex').slice(0, 10)}`;
}
