// Fills the read model with N synthetic matters shaped like real ones, in SQL (generate_series), not through the
// API: three years of registrations, about one in ten still open, with their deadlines, events, tasks, notices,
// submissions and escalations in the proportions a real year has. Used by bench/scale.ts.
import type { Sql } from 'postgres';
import { WORKFLOW_ID_PREFIX } from '../workflows/ids';
import { readDivisions, starterUnits } from '../db/seed';

/** Tables the fill writes, in dependency order. The escalation table is `overlays` or, after its rename, `escalations`. */
export async function fillTables(sql: Sql): Promise<{ escalations: string }> {
  const [row] = await sql<{ t: string | null }[]>`select coalesce(to_regclass('public.escalations')::text, to_regclass('public.overlays')::text) as t`;
  if (!row?.t) throw new Error('neither an escalations nor an overlays table: are the migrations applied?');
  return { escalations: row.t };
}

// How many matters each division registers, out of 100 (the city bureau and Liandu, the seat, take the most).
const divisionWeights: Record<string, number> = {
  '331100': 16,
  '331102': 25,
  '331121': 12,
  '331122': 10,
  '331123': 6,
  '331124': 6,
  '331125': 4,
  '331126': 4,
  '331127': 4,
  '331181': 8,
  LSKFQ: 5,
};

// What petitioners write about: the terms caseworkers search for (采光, 拆迁, 欠薪, 噪音 …) come from here.
const issues = [
  '小区旁违章建筑影响采光通风，请求依法拆除',
  '征地拆迁补偿标准过低，请求重新评估',
  '建筑工地拖欠农民工工资，请求督促支付',
  '夜间施工噪音扰民，请求限制施工时间',
  '物业维修基金使用不透明，请求公开账目',
  '企业排放废水污染河道，请求环保部门查处',
  '农村宅基地审批迟迟未办，请求加快办理',
  '养老保险关系转移受阻，请求协调办理',
  '医疗纠纷赔偿未落实，请求卫健部门调处',
  '子女入学学位分配不公，请求教育部门复核',
  '低保资格被取消，请求重新审核',
  '土地承包经营权被侵占，请求依法确权',
  '道路改造后排水不畅导致房屋进水，请求整改',
  '商品房延期交付，请求住建部门督促开发商',
  '养殖场异味扰民，请求搬迁',
  '邻里宅基地界址纠纷，请求调解',
  '山林权属争议多年未决，请求林业部门处理',
  '拆迁安置房质量问题，请求维修',
  '网约车营运证办理受阻，请求说明政策',
  '学校周边交通拥堵，请求设置信号灯',
];
const places = ['莲都区某小区', '青田县侨乡', '缙云县某村', '遂昌县城区', '松阳县某镇', '云和县某街道', '庆元县某村', '景宁县某乡', '龙泉市某社区', '开发区某园区', '丽水市区'];
const names = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林'];

/** A snapshot of the size the projection stores for a matter mid-course (deadlines, recent timeline, settings). */
function stateTemplate(): string {
  const deadline = (key: string, i: number) => ({
    id: `${key}-1`,
    key,
    startDate: '2026-01-05',
    dueDate: '2026-01-20',
    dueAt: '2026-01-20T15:59:59.999Z',
    days: 15,
    status: i < 2 ? 'met' : 'pending',
    reminded: [10, 3],
    // Shaped as domain/rules.ts policyFor gives it: the work list reads label and counting.
    policy: { key: 'triage', label: '登记转送交办 triage', days: 15, counting: 'natural', rollForward: false, ruleSet: '2022', basis: '《信访工作条例》第二十二条' },
  });
  const entry = (seq: number, type: string) => ({ seq, type, at: '2026-01-05T02:00:00.000Z', actor: 'registrar-city', data: { note: '按程序办理', unitId: 'liandu-housing' } });
  return JSON.stringify({
    caseNo: '@CASE@',
    status: '@STATUS@',
    divisionCode: '@DIV@',
    channel: 'letter',
    source: 'direct',
    personsCount: 1,
    receivedAt: '2026-01-04T02:00:00.000Z',
    registeredAt: '2026-01-05T02:00:00.000Z',
    unitId: null,
    handOff: { mode: 'assign', unitId: 'liandu-housing', at: '2026-01-06T02:00:00.000Z', by: 'registrar-city', note: '请依法调查处理' },
    objections: [],
    meetings: {},
    returnVisits: [],
    submissions: { total: 1, repeats: 0, refused: 0, recentIds: ['s-1'] },
    deadlines: ['triage', 'acceptance', 'handling', 'evaluation'].map(deadline),
    overdue: false,
    notices: [{ id: 'n-1', kind: 'acceptance_notice', issuedAt: '2026-01-07T02:00:00.000Z' }],
    tasks: [],
    recent: ['registered', 'assigned', 'accepted', 'meeting', 'replied', 'evaluated', 'closed'].map((t, i) => entry(i, t)),
    seq: 7,
    runs: 1,
    accusedUnitIds: [],
    settings: { reminderLeadDays: [10, 3], evaluationWindowDays: 7, investigationLimitDays: 30 },
    visits: [],
    visitCounts: { city: 0, county: 0, province: 0, national: 0 },
    overlays: {},
  });
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const textArray = (xs: string[]) => `(ARRAY[${xs.map(lit).join(",")}]::text[])`;

/**
 * The per-matter plan: one row per matter with its dates, place, status and counts, from which every table is
 * filled, so that the tables agree with each other. Deterministic for a given n (setseed).
 */
function planSql(n: number, now: Date): string {
  const divs = Object.entries(divisionWeights);
  const total = divs.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const divCase = divs
    .map(([code, w]) => {
      acc += w;
      return `WHEN r_div < ${acc / total} THEN ${lit(code)}`;
    })
    .join(' ');
  // Units of each division: a county's government, Liandu's housing bureau too, the city's departments.
  const unitsOf = (code: string) => starterUnits.filter((u) => u.divisionCode === code && u.kind !== 'petition_bureau' && u.kind !== 'review_body').map((u) => u.id);
  const unitCase = divs.map(([code]) => `WHEN ${lit(code)} THEN (${textArray(unitsOf(code))})[1 + floor(r_unit * ${unitsOf(code).length})::int]`).join(' ');
  const nowLit = `${lit(now.toISOString())}::timestamptz`;
  return `
CREATE UNLOGGED TABLE bench_plan AS
WITH g AS (
  SELECT i, random() AS r_div, random() AS r_unit, random() AS r_status, random() AS r_due, random() AS r_text,
         random() AS r_place, random() AS r_chan, random() AS r_cat, random() AS r_hour, random() AS r_extra
  FROM generate_series(1, ${n}) AS i
), dated AS (
  SELECT g.*,
         -- evenly over the last three years, oldest first, at office hours
         ${nowLit} - interval '1095 days' + (i::float8 / ${n}) * interval '1095 days' - r_hour * interval '9 hours' AS reg_at
  FROM g
), aged AS (
  SELECT d.*, extract(epoch FROM ${nowLit} - reg_at) / 86400 AS age,
         CASE ${divCase} ELSE '331100' END AS division_code
  FROM dated d
)
SELECT a.*,
  'LS' || to_char(reg_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad((i % 100000)::text, 5, '0') AS case_no,
  CASE
    WHEN age < 3 THEN CASE WHEN r_status < 0.70 THEN 'TRIAGE' WHEN r_status < 0.85 THEN 'AWAITING_ACCEPTANCE' WHEN r_status < 0.90 THEN 'NOT_ACCEPTED' WHEN r_status < 0.95 THEN 'ROUTED_TO_CHANNEL' ELSE 'LINKED' END
    WHEN age < 20 THEN CASE WHEN r_status < 0.05 THEN 'TRIAGE' WHEN r_status < 0.25 THEN 'AWAITING_ACCEPTANCE' WHEN r_status < 0.82 THEN 'IN_HANDLING' WHEN r_status < 0.88 THEN 'NOT_ACCEPTED' WHEN r_status < 0.94 THEN 'ROUTED_TO_CHANNEL' ELSE 'LINKED' END
    WHEN age < 75 THEN CASE WHEN r_status < 0.45 THEN 'IN_HANDLING' WHEN r_status < 0.53 THEN 'EXTENDED' WHEN r_status < 0.78 THEN 'REPLIED' WHEN r_status < 0.82 THEN 'UNSATISFIED' WHEN r_status < 0.92 THEN 'CLOSED' WHEN r_status < 0.95 THEN 'NOT_ACCEPTED' WHEN r_status < 0.98 THEN 'ROUTED_TO_CHANNEL' ELSE 'LINKED' END
    WHEN age < 110 THEN CASE WHEN r_status < 0.10 THEN 'REPLIED' WHEN r_status < 0.13 THEN 'UNSATISFIED' WHEN r_status < 0.16 THEN 'REVIEW' WHEN r_status < 0.92 THEN 'CLOSED' WHEN r_status < 0.95 THEN 'NOT_ACCEPTED' WHEN r_status < 0.98 THEN 'ROUTED_TO_CHANNEL' ELSE 'LINKED' END
    ELSE CASE WHEN r_status < 0.002 THEN 'REVIEW' WHEN r_status < 0.003 THEN 'RE_REVIEW' WHEN r_status < 0.0035 THEN 'REVIEWED' WHEN r_status < 0.006 THEN 'TERMINATED' WHEN r_status < 0.89 THEN 'CLOSED' WHEN r_status < 0.93 THEN 'NOT_ACCEPTED' WHEN r_status < 0.97 THEN 'ROUTED_TO_CHANNEL' ELSE 'LINKED' END
  END AS status,
  (ARRAY['letter','visit','online','phone'])[1 + floor(r_chan * 4)::int] AS channel,
  (ARRAY['urban_construction','land_resources','labour_social_security','health','environment','agriculture_rural','political_legal','education','civil_affairs','other'])[1 + floor(r_cat * 10)::int] AS category,
  ${textArray(places)}[1 + floor(r_place * ${places.length})::int] || ${textArray(issues)}[1 + floor(r_text * ${issues.length})::int] AS summary,
  CASE division_code ${unitCase} END AS a_unit
FROM aged a;

ALTER TABLE bench_plan ADD COLUMN open boolean, ADD COLUMN unit_id text, ADD COLUMN due_key text, ADD COLUMN due_at timestamptz, ADD COLUMN n_events int, ADD COLUMN n_deadlines int;
UPDATE bench_plan SET
  open = status NOT IN ('ROUTED_TO_CHANNEL','NOT_ACCEPTED','LINKED','CLOSED','TERMINATED'),
  unit_id = CASE WHEN status IN ('TRIAGE','ROUTED_TO_CHANNEL','NOT_ACCEPTED','LINKED') THEN NULL ELSE a_unit END,
  due_key = CASE status WHEN 'TRIAGE' THEN 'triage' WHEN 'AWAITING_ACCEPTANCE' THEN 'acceptance' WHEN 'IN_HANDLING' THEN 'handling'
    WHEN 'EXTENDED' THEN 'extension' WHEN 'REPLIED' THEN 'evaluation' WHEN 'REVIEW' THEN 'reviewDecision' WHEN 'RE_REVIEW' THEN 'reReviewDecision' END,
  -- the limit each open matter runs against; one in twenty a little past it (overdue)
  due_at = CASE status
    WHEN 'TRIAGE' THEN reg_at + interval '21 days' - r_due * interval '20 days'
    WHEN 'AWAITING_ACCEPTANCE' THEN reg_at + interval '40 days' - r_due * interval '18 days'
    WHEN 'IN_HANDLING' THEN reg_at + interval '95 days' - r_due * interval '20 days'
    WHEN 'EXTENDED' THEN reg_at + interval '125 days' - r_due * interval '10 days'
    WHEN 'REPLIED' THEN reg_at + interval '80 days' + r_due * interval '20 days'
    WHEN 'REVIEW' THEN ${nowLit} + r_due * interval '30 days'
    WHEN 'RE_REVIEW' THEN ${nowLit} + r_due * interval '30 days' END,
  n_events = CASE status WHEN 'TRIAGE' THEN 1 WHEN 'AWAITING_ACCEPTANCE' THEN 2 WHEN 'IN_HANDLING' THEN 3 + floor(r_extra * 2)::int
    WHEN 'EXTENDED' THEN 5 WHEN 'REPLIED' THEN 6 WHEN 'UNSATISFIED' THEN 7 WHEN 'CLOSED' THEN 7 + floor(r_extra * 2)::int
    WHEN 'REVIEW' THEN 9 WHEN 'RE_REVIEW' THEN 11 WHEN 'REVIEWED' THEN 10 WHEN 'TERMINATED' THEN 12 ELSE 3 END,
  n_deadlines = CASE status WHEN 'TRIAGE' THEN 1 WHEN 'AWAITING_ACCEPTANCE' THEN 2 WHEN 'IN_HANDLING' THEN 3 WHEN 'EXTENDED' THEN 4
    WHEN 'REPLIED' THEN 4 WHEN 'UNSATISFIED' THEN 4 WHEN 'CLOSED' THEN 4 WHEN 'REVIEW' THEN 5 WHEN 'RE_REVIEW' THEN 6
    WHEN 'REVIEWED' THEN 5 WHEN 'TERMINATED' THEN 6 ELSE 1 END;
`;
}

const eventTypes = ['registered', 'assigned', 'accepted', 'meeting_recorded', 'replied', 'reply_delivered', 'evaluated', 'closed', 'review_requested', 'review_decided', 're_review_requested', 're_review_decided'];
const deadlineKeys = ['triage', 'acceptance', 'handling', 'evaluation', 'reviewDecision', 'reReviewDecision'];

/** The INSERT … SELECT statements of each table, from bench_plan. */
function tableSql(escalations: string, now: Date): { table: string; sql: string }[] {
  const nowLit = `${lit(now.toISOString())}::timestamptz`;
  const state = lit(stateTemplate());
  const body = lit('根据《信访工作条例》第三十二条的规定，经调查核实，现将处理意见告知如下：'.repeat(4));
  return [
    {
      table: 'petitions',
      sql: `INSERT INTO petitions (case_no, query_code, workflow_id, status, channel, source, division_code, unit_id, category, purpose, summary,
          petitioners, petitioner_key, persons_count, flags, intake, received_at, registered_at, registered_by, first_receiver, linked_to,
          current_deadline_key, current_due_at, overdue, open, state, last_event_seq, updated_at)
        SELECT case_no, upper(substr(md5(case_no), 1, 8)), '${WORKFLOW_ID_PREFIX}' || case_no, status, channel, 'direct', division_code, unit_id, category, 'complaint', summary,
          jsonb_build_array(jsonb_build_object('name', ${textArray(names)}[1 + (i % ${names.length})] || '某', 'main', true,
            'idNumber', '3311' || lpad((i % 100000000)::text, 14, '0'), 'phone', '139' || lpad((i % 100000000)::text, 8, '0'))),
          md5('resident:' || i), 1 + (i % 97 = 0)::int * 5, '{}'::jsonb, jsonb_build_object('receivedBy', 'registrar-city'),
          reg_at - interval '1 day', reg_at, 'registrar-city', 'registrar-city', CASE WHEN status = 'LINKED' THEN 'LS-linked' END,
          due_key, due_at, coalesce(due_at < ${nowLit}, false), open,
          replace(replace(replace(${state}, '@CASE@', case_no), '@STATUS@', status), '@DIV@', division_code)::jsonb
            -- an ended matter ended some 45 days after it was registered, as the workflows write it (ISO, UTC)
            || CASE WHEN open THEN '{}'::jsonb ELSE jsonb_build_object('endedAt',
                 to_char(least(reg_at + interval '45 days', ${nowLit}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
          n_events - 1, reg_at
        FROM bench_plan`,
    },
    {
      table: 'submissions',
      sql: `INSERT INTO submissions (id, case_no, channel, source, received_at, summary, initial, registered_by, created_at)
        SELECT case_no || ':s' || k, case_no, channel, 'direct', reg_at + (k - 1) * interval '9 days', summary, k = 1, 'registrar-city', reg_at
        FROM bench_plan, generate_series(1, 1 + (r_extra < 0.12)::int) AS k`,
    },
    {
      table: 'events',
      sql: `INSERT INTO events (id, case_no, stream, seq, type, at, actor, data)
        SELECT '${WORKFLOW_ID_PREFIX}' || case_no || ':' || (k - 1), case_no, '${WORKFLOW_ID_PREFIX}' || case_no, k - 1, ${textArray(eventTypes)}[k],
          reg_at + (k - 1) * interval '6 days', CASE WHEN k % 2 = 0 THEN 'handler' ELSE 'registrar-city' END,
          jsonb_build_object('note', '按程序办理', 'k', k)
        FROM bench_plan, generate_series(1, n_events) AS k`,
    },
    {
      table: 'deadlines',
      sql: `INSERT INTO deadlines (case_no, id, key, start_date, due_date, due_at, policy, status, escalated_at)
        SELECT case_no, ${textArray(deadlineKeys)}[k] || '-1', ${textArray(deadlineKeys)}[k],
          to_char(reg_at + (k - 1) * interval '15 days', 'YYYY-MM-DD'), to_char(reg_at + k * interval '15 days', 'YYYY-MM-DD'),
          coalesce(CASE WHEN k = n_deadlines THEN due_at END, reg_at + k * interval '15 days'),
          jsonb_build_object('key', ${textArray(deadlineKeys)}[k], 'label', ${textArray(deadlineKeys)}[k], 'days', 15, 'counting', 'natural', 'rollForward', false, 'ruleSet', '2022', 'basis', '《信访工作条例》第二十二条'),
          CASE WHEN k < n_deadlines OR NOT open THEN 'met' ELSE 'pending' END, NULL
        FROM bench_plan, generate_series(1, n_deadlines) AS k`,
    },
    {
      // What someone must do next: only open matters have tasks (workflows/tasks.ts tasksOf, by status).
      table: 'tasks',
      sql: `INSERT INTO tasks (case_no, kind, assignee_role, unit_id, division_code, due_at, overdue, detail)
        SELECT case_no, t.kind, t.role, CASE WHEN t.role IN ('unit_handler','unit_head') THEN unit_id END, division_code,
          CASE WHEN t.timed THEN due_at END, CASE WHEN t.timed THEN coalesce(due_at < ${nowLit}, false) ELSE false END, t.detail
        FROM bench_plan
        CROSS JOIN LATERAL (VALUES
          ('triage', 'registrar', true, '转送、交办、告知法定途径或不予受理', status = 'TRIAGE'),
          ('accept', 'unit_handler', true, '书面告知是否受理', status = 'AWAITING_ACCEPTANCE'),
          ('meet1', 'unit_handler', true, '三见面①', status IN ('IN_HANDLING','EXTENDED') AND r_extra < 0.5),
          ('reply', 'unit_handler', true, '出具处理意见书并送达', status IN ('IN_HANDLING','EXTENDED')),
          ('meet2', 'unit_handler', false, '三见面②', status = 'REPLIED' AND r_extra < 0.5),
          ('evaluate', 'registrar', true, '信访人评价', status = 'REPLIED'),
          ('meet3', 'unit_head', false, '三见面③', status = 'UNSATISFIED'),
          ('returnVisit', 'registrar', false, '不满意：回访', status = 'UNSATISFIED'),
          ('decideReview', 'supervisor', true, '作出复查意见', status = 'REVIEW'),
          ('decideReReview', 'supervisor', true, '作出复核意见', status = 'RE_REVIEW')
        ) AS t(kind, role, timed, detail, applies)
        WHERE t.applies`,
    },
    {
      table: 'notices',
      sql: `INSERT INTO notices (id, case_no, kind, title, body, legal_basis, issued_at, issued_by)
        SELECT case_no || ':n' || k, case_no, (ARRAY['acceptance_notice','reply'])[k], (ARRAY['受理告知书','信访事项处理意见书'])[k], ${body},
          '《信访工作条例》', reg_at + k * interval '10 days', 'handler'
        FROM bench_plan, generate_series(1, CASE WHEN n_events >= 6 THEN 2 WHEN n_events >= 3 THEN 1 ELSE 0 END) AS k`,
    },
    {
      // Warning slips on about 2% of matters, three-party reviews on 0.3%, accountability investigations on 0.2%.
      table: escalations,
      sql: `INSERT INTO ${escalations} (id, kind, case_no, status, trigger, division_code, unit_id, due_at, overdue, opened_at, closed_at, state, last_event_seq)
        SELECT '${WORKFLOW_ID_PREFIX}' || case_no || '-' || e.kind, e.kind, case_no, CASE WHEN open THEN 'open' ELSE 'closed' END, e.trigger,
          division_code, unit_id, CASE WHEN open THEN reg_at + interval '45 days' END, open AND reg_at + interval '45 days' < ${nowLit},
          reg_at + interval '30 days', CASE WHEN NOT open THEN reg_at + interval '60 days' END,
          jsonb_build_object('kind', e.kind, 'caseNo', case_no, 'trigger', e.trigger, 'divisionCode', division_code), 3
        FROM bench_plan
        CROSS JOIN LATERAL (VALUES ('warning_slip', 'visits', r_extra < 0.02), ('three_party_review', 'unsatisfied', r_extra >= 0.02 AND r_extra < 0.023),
          ('investigation', 'overdue', r_extra >= 0.023 AND r_extra < 0.025)) AS e(kind, trigger, applies)
        WHERE e.applies AND unit_id IS NOT NULL`,
    },
  ];
}

export interface FillReport {
  seconds: number;
  rows: Record<string, number>;
  bytes: number;
}

/**
 * Fills an empty, migrated database. Secondary indexes are dropped before the load and created again after it
 * (the same definitions the migrations made), then the tables are vacuumed and analysed, as after a restore.
 */
export async function fill(sql: Sql, n: number, log: (line: string) => void, now = new Date()): Promise<FillReport> {
  const started = performance.now();
  const { escalations } = await fillTables(sql);
  const tables = tableSql(escalations, now);
  const names = tables.map((t) => t.table);
  // The divisions must be there (seed); the plan only picks codes from the seeded tree.
  const known = new Set(readDivisions().map((d) => d.code));
  for (const code of Object.keys(divisionWeights)) if (!known.has(code)) throw new Error(`division ${code} is not in the seed`);

  const indexes = await sql<{ indexname: string; indexdef: string }[]>`
    select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = 'public' and i.tablename = any(${names})
      and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`;
  for (const ix of indexes) await sql.unsafe(`DROP INDEX ${ix.indexname}`);

  await sql.unsafe('DROP TABLE IF EXISTS bench_plan');
  await sql.unsafe(`SELECT setseed(0.42)`);
  await sql.unsafe(planSql(n, now));
  log(`    plan of ${n} matters (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const rows: Record<string, number> = {};
  // Foreign keys are checked row by row; a superuser can skip that for a load whose keys are known good.
  const replica = await sql.unsafe(`SET session_replication_role = replica`).then(() => true, () => false);
  for (const t of tables) {
    const t0 = performance.now();
    const r = await sql.unsafe(t.sql);
    rows[t.table] = r.count;
    log(`    ${t.table}: ${r.count} rows (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (replica) await sql.unsafe(`SET session_replication_role = origin`);
  await sql.unsafe('DROP TABLE bench_plan');
  const t1 = performance.now();
  await sql.unsafe(`SET maintenance_work_mem = '512MB'`);
  for (const ix of indexes) await sql.unsafe(ix.indexdef);
  log(`    ${indexes.length} indexes (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
  const t2 = performance.now();
  for (const t of names) await sql.unsafe(`VACUUM (ANALYZE) ${t}`);
  log(`    vacuum analyze (${((performance.now() - t2) / 1000).toFixed(1)} s)`);
  const [size] = await sql<{ b: string }[]>`select pg_database_size(current_database())::text as b`;
  return { seconds: (performance.now() - started) / 1000, rows, bytes: Number(size!.b) };
}
