/**
 * 化积案 — the backlog register (丽委办发〔2018〕51号 三): backlog cases, their sources, 包案 leaders, 一案一档一专班,
 * 三跨三分离 flags, leader check-ins, on-site supervision, closure under 三到位一处理 and reopening; and the import
 * of the 2018 leader-area table. Pure: workflows, API and tests call these.
 */
import { z } from 'zod';
import { isoDate } from './petition';
import { shanghaiDateOf } from './dates';
import type { DeadlinePolicy } from './rules';
import type { TimelineEntry } from './record';

export const assigningLevels = ['national', 'province', 'city', 'county'] as const;
export type AssigningLevel = (typeof assigningLevels)[number];

/** 三到位一处理: reasonable demand → solved; unreasonable → explained; hardship → assisted; unlawful → handled by law. */
export const closureCategories = ['solved', 'explained', 'assisted', 'handled_by_law'] as const;
export const closureLabels: Record<(typeof closureCategories)[number], string> = {
  solved: '诉求合理的解决到位',
  explained: '诉求无理的思想教育到位',
  assisted: '生活困难的帮扶救助到位',
  handled_by_law: '违法行为依法处理',
};

/** 三跨三分离: cross-region, -department, -sector; person separated from matter, from residence; residence from matter. */
export const crossFlagKeys = ['crossRegion', 'crossDepartment', 'crossSector', 'personMatterSeparated', 'personResidenceSeparated', 'residenceMatterSeparated'] as const;
export const crossFlagsSchema = z.object(Object.fromEntries(crossFlagKeys.map((k) => [k, z.boolean().default(false)])) as Record<(typeof crossFlagKeys)[number], z.ZodDefault<z.ZodBoolean>>);
export type CrossFlags = z.output<typeof crossFlagsSchema>;
export const noFlags = (): CrossFlags => Object.fromEntries(crossFlagKeys.map((k) => [k, false])) as CrossFlags;

/** Default interval of the 包案 leader's check-ins, natural days, and the reminder before one is due. */
export const CHECK_IN_DAYS = 30;
export const CHECK_IN_REMINDER_DAYS = 3;

const caseNos = z.array(z.string().min(3).max(40)).max(200);

/** Central assignment (上级交办) of a backlog case, by level, with the assigning body and date. */
export const centralAssignmentSchema = z.object({
  assigningLevel: z.enum(assigningLevels),
  assigningBody: z.string().min(2).max(200),
  assignedOn: isoDate,
  divisionCode: z.string().min(1).max(20),
  unitId: z.string().min(1).max(100).optional(),
  reason: z.string().min(2).max(2000),
  caseNos: caseNos.default([]),
  leaderName: z.string().min(1).max(100).optional(),
  targetDate: isoDate.optional(),
  flags: crossFlagsSchema.optional(),
});

export const planSchema = z.object({
  leaderName: z.string().min(1).max(100).optional(),
  team: z.array(z.object({ name: z.string().min(1).max(100), role: z.string().min(1).max(100) })).max(50).optional().describe('专班 members'),
  targetDate: isoDate.optional(),
  flags: crossFlagsSchema.optional(),
  checkInDays: z.number().int().min(7).max(120).optional(),
});

export const dossierEntrySchema = z.object({
  kind: z.enum(['document', 'meeting']),
  title: z.string().min(1).max(300),
  date: isoDate,
  participants: z.array(z.string().min(1).max(100)).max(50).default([]),
  notes: z.string().max(10_000).default(''),
  reference: z.string().max(300).optional().describe('file reference or storage key of the document'),
});

export const checkInSchema = z.object({
  date: isoDate,
  notes: z.string().min(2).max(5000),
  metPetitioner: z.boolean().default(false),
});

/** 疑难案件实地督查: see the handler, the petitioner and the original file (三见), with recommendations. */
export const supervisionSchema = z.object({
  date: isoDate,
  sawHandler: z.boolean(),
  sawPetitioner: z.boolean(),
  sawFile: z.boolean(),
  findings: z.string().min(2).max(10_000),
  recommendations: z.array(z.string().min(2).max(2000)).min(1).max(20),
});

export const resolveRecommendationSchema = z.object({ supervisionNo: z.number().int().min(1), recommendationNo: z.number().int().min(1), outcome: z.string().min(2).max(2000) });

export const closureSchema = z.object({
  category: z.enum(closureCategories),
  evidence: z.array(z.string().min(2).max(500)).min(1).max(50).describe('documents that show the category was achieved'),
  summary: z.string().min(2).max(5000),
  closedOn: isoDate,
});

/**
 * Why a backlog case cannot close, or null. Closure needs the 三到位一处理 category, its evidence, and every
 * on-site supervision recommendation closed; the bureau's confirmation is the command's role check.
 */
export function closureProblem(c: { status: string; recommendationsOpen: number }, closure: { evidence: string[] }): string | null {
  if (c.status !== 'open') return 'the backlog case is not open';
  if (!closure.evidence.some((e) => e.trim().length >= 2)) return 'closure under 三到位一处理 needs its evidence';
  if (c.recommendationsOpen > 0) return `${c.recommendationsOpen} on-site supervision recommendation(s) are still open`;
  return null;
}

// --- The 2018 leader-area table -------------------------------------------------------------------------------

export const IMPORT_HEADER = ['supervising_leader', 'linked_unit', 'unit_kind', 'backlog_cases', 'note'] as const;
export const unitKinds = ['county', 'development_zone', 'city_department', 'area'] as const;

/** Names the source uses for units that have since been renamed, and short forms. */
export const areaAliases: Record<string, { unitId?: string; divisionName?: string }> = {
  丽水开发区: { divisionName: '丽水经济技术开发区' },
  市国土局: { unitId: 'city-natural-resources' },
  市建设局: { unitId: 'city-housing' },
  市卫生计生委: { unitId: 'city-health' },
  市发改委: { unitId: 'city-development-reform' },
};

export interface ImportReference {
  /** division name → code */
  divisions: Map<string, string>;
  /** unit id → { name, divisionCode } */
  units: Map<string, { name: string; divisionCode: string }>;
}

export interface ImportedCase {
  id: string;
  line: number;
  leaderName: string | null;
  leaderIsTitle: boolean;
  leaderMissing: boolean;
  areaName: string;
  unitKind: (typeof unitKinds)[number];
  divisionCode: string;
  unitId: string | null;
  note: string | null;
}

export interface ParsedImport {
  cases: ImportedCase[];
  /** Lines that assign a leader to an area without any case count (e.g. 城中村改造联系片区). */
  areasWithoutCases: { line: number; leader: string | null; area: string; note: string | null }[];
  /** Lines accepted with a flag (a blank leader). */
  warnings: string[];
}

export class ImportRefused extends Error {
  constructor(readonly errors: string[]) {
    super(`import refused: ${errors.length} bad line(s)`);
    this.name = 'ImportRefused';
  }
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns the rows with their 1-based line numbers. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const src = text.replace(/^\ufeff/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      fields.push(field);
      rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (field !== '' || fields.length) {
    fields.push(field);
    rows.push({ line: rowLine, fields });
  }
  return rows.filter((r) => r.fields.some((f) => f.trim() !== ''));
}

/** Titles rather than personal names (the source sometimes gives only the office). */
const looksLikeTitle = (s: string) => /(书记|市长|主任|主席|领导|常委|副|局长)/.test(s);

/**
 * Validates the whole file and returns every case it creates, or throws ImportRefused naming each bad line.
 * Each case id is `<year>-<division code or unit id>-<nn>`, so the same file twice yields the same ids.
 */
export function parseBacklogImport(text: string, year: number, ref: ImportReference): ParsedImport {
  const rows = parseCsv(text);
  const errors: string[] = [];
  if (!rows.length) throw new ImportRefused(['the file is empty']);
  const header = rows[0]!.fields.map((h) => h.trim());
  if (header.join(',') !== IMPORT_HEADER.join(',')) throw new ImportRefused([`line ${rows[0]!.line}: the header must be ${IMPORT_HEADER.join(',')} (found ${header.join(',')})`]);
  const out: ParsedImport = { cases: [], areasWithoutCases: [], warnings: [] };
  const seen = new Map<string, number>();
  for (const { line, fields } of rows.slice(1)) {
    if (fields.length !== IMPORT_HEADER.length) {
      errors.push(`line ${line}: ${fields.length} fields, expected ${IMPORT_HEADER.length}`);
      continue;
    }
    const [leaderRaw, areaRaw, kindRaw, countRaw, noteRaw] = fields.map((f) => f.trim()) as [string, string, string, string, string];
    const note = noteRaw || null;
    if (!areaRaw) {
      errors.push(`line ${line}: linked_unit is empty`);
      continue;
    }
    if (!(unitKinds as readonly string[]).includes(kindRaw)) {
      errors.push(`line ${line}: unit_kind "${kindRaw}" is not one of ${unitKinds.join(', ')}`);
      continue;
    }
    const kind = kindRaw as (typeof unitKinds)[number];
    if (leaderRaw.length > 100) errors.push(`line ${line}: supervising_leader is longer than 100 characters`);
    if (seen.has(areaRaw)) {
      errors.push(`line ${line}: ${areaRaw} appears again (first on line ${seen.get(areaRaw)})`);
      continue;
    }
    seen.set(areaRaw, line);
    if (countRaw === '') {
      if (kind !== 'area') {
        errors.push(`line ${line}: backlog_cases is empty for ${areaRaw} (only an area line may have no count)`);
        continue;
      }
      out.areasWithoutCases.push({ line, leader: leaderRaw || null, area: areaRaw, note });
      continue;
    }
    if (!/^\d{1,4}$/.test(countRaw)) {
      errors.push(`line ${line}: backlog_cases "${countRaw}" is not a whole number`);
      continue;
    }
    const count = Number(countRaw);
    // Where the area is.
    const alias = areaAliases[areaRaw];
    let divisionCode: string | undefined;
    let unitId: string | null = null;
    if (kind === 'county' || kind === 'development_zone') {
      divisionCode = ref.divisions.get(alias?.divisionName ?? areaRaw);
      if (!divisionCode) {
        errors.push(`line ${line}: no division named ${areaRaw}`);
        continue;
      }
    } else if (kind === 'city_department') {
      const id = alias?.unitId ?? [...ref.units.entries()].find(([, u]) => u.name === areaRaw)?.[0];
      const unit = id ? ref.units.get(id) : undefined;
      if (!id || !unit) {
        errors.push(`line ${line}: no city unit for ${areaRaw}`);
        continue;
      }
      unitId = id;
      divisionCode = unit.divisionCode;
    } else {
      errors.push(`line ${line}: an area line (${areaRaw}) cannot carry backlog cases`);
      continue;
    }
    const leaderMissing = leaderRaw === '';
    if (leaderMissing) out.warnings.push(`line ${line}: ${areaRaw} has no supervising leader; its ${count} case(s) are flagged leaderMissing`);
    const key = unitId ?? divisionCode;
    for (let i = 1; i <= count; i++) {
      out.cases.push({
        id: `${year}-${key}-${String(i).padStart(3, '0')}`,
        line,
        leaderName: leaderMissing ? null : leaderRaw,
        leaderIsTitle: !leaderMissing && looksLikeTitle(leaderRaw),
        leaderMissing,
        areaName: areaRaw,
        unitKind: kind,
        divisionCode,
        unitId,
        note,
      });
    }
  }
  if (errors.length) throw new ImportRefused(errors);
  return out;
}

/** Why a matter became new backlog, in words for the register: the statutory limits it missed and the new petition. */
export function describeMissed(deadlines: readonly { key: string; dueDate: string; status: string; policy: Pick<DeadlinePolicy, 'ruleSet' | 'label'> }[], at: string): string {
  const missed = deadlines.filter((d) => d.status === 'missed' && (d.policy.ruleSet === '2005' || d.policy.ruleSet === '2022'));
  const list = missed.map((d) => `${d.policy.label}（${d.dueDate}届满）`).join('、');
  return `新增积案：超过法定期限未办结（${list || '法定期限'}），信访人于 ${shanghaiDateOf(at)} 再次信访`;
}

// --- A backlog case's workflow: its input and state (workflows/backlog.ts) -----------------------------------

/** What a backlog case is given by its source: its input carries it, its state keeps it, its row shows it. */
export interface BacklogCaseFields {
  id: string;
  source: 'new_backlog' | 'central_assignment' | 'import';
  assigningLevel: AssigningLevel;
  assigningBody: string | null;
  assignedOn: string;
  reason: string | null;
  divisionCode: string;
  unitId: string | null;
  areaName: string | null;
  leaderName: string | null;
  leaderMissing: boolean;
  targetDate: string | null;
  flags: CrossFlags;
}

export interface BacklogInput extends BacklogCaseFields {
  caseNos: string[];
  checkInDays: number;
  /** Upsert the search attributes (off only where the server has not registered them). */
  searchAttributes?: boolean;
  /** Days a closed case stays reachable for reopening before the workflow completes. */
  lingerDays: number;
  carried?: BacklogState;
}

export interface Recommendation {
  no: number;
  text: string;
  status: 'open' | 'closed';
  outcome?: string;
  closedOn?: string;
  closedBy?: string;
}

export interface BacklogState extends BacklogCaseFields {
  team: { name: string; role: string }[];
  caseNos: string[];
  status: 'open' | 'closed';
  dossier: { no: number; kind: 'document' | 'meeting'; title: string; date: string; participants: string[]; notes: string; reference?: string; by: string }[];
  checkInDays: number;
  checkIns: { date: string; notes: string; metPetitioner: boolean; by: string }[];
  /** The next check-in: due by the end of this Asia/Shanghai day. */
  checkInDue: string;
  checkInReminded: boolean;
  missedCheckIns: number;
  overdue: boolean;
  supervisions: { no: number; date: string; sawHandler: boolean; sawPetitioner: boolean; sawFile: boolean; findings: string; by: string; recommendations: Recommendation[] }[];
  closure?: { category: string; label: string; evidence: string[]; summary: string; closedOn: string; confirmedBy: string };
  closures: number;
  reopenCount: number;
  reopenings: { ref: string; caseNo: string | null; on: string; note: string }[];
  closedAt?: string;
  recent: TimelineEntry[];
  seq: number;
  lastFlushedSeq: number;
  runs: number;
}

