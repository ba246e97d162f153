/**
 * Every measure a supervisor sees (domain.md §6), one place each: its Chinese name, its formula (numerator,
 * denominator, period rule and jurisdiction rule), its target, and the SQL over the read model that computes it.
 *
 * Each measure's SQL returns its *rows*: one per thing counted, as (ref, case_no, num, den, cat) —
 *   ref      what the row is (an event id, a deadline, a leader-month, a backlog case, a petitioner key);
 *   case_no  the matter behind it, when there is one (the drill-down lists these);
 *   num      its contribution to the numerator (1/0, or persons for a volume);
 *   den      its contribution to the denominator (1/0; null for a count without one);
 *   cat      a breakdown label, or null.
 * The figure is the sum of num over the sum of den (or, for `distinct` measures, the number of distinct refs with
 * num > 0), so the same rows explain the figure: GET /api/measures/:key/matters lists them.
 *
 * Period: Asia/Shanghai dates [from, to], both included; the instant each rule names must fall in it.
 * Jurisdiction: the problem location (petitions.division_code) lies in the chosen division or below it; for leaders'
 * duties the leader's division; for backlog cases the case's division.
 *
 * No I/O here: `sql` only builds statements; read-model/measures.ts runs them.
 */
import { sql, type SQL } from 'drizzle-orm';
import { addNaturalDays, startOfShanghaiDay } from './dates';
import { listingRankMeasure } from './listing-rank';

export interface MeasureParams {
  from: string; // YYYY-MM-DD, Asia/Shanghai
  to: string; // YYYY-MM-DD, included
  /** Division codes of the jurisdiction (the chosen division and everything below it). */
  divisions: string[];
  /** Channels whose initial submissions count as "initial letters" for 阅批 (domain.md §4: letters and online). */
  leaderReviewChannels: string[];
}

/**
 * What the daily aggregates are built from (read-model/measure-rollup.ts): every row of a matter, whatever its day
 * and division, optionally only for some matters. The period and jurisdiction are then chosen by `day` and
 * `division`, which every daily measure's rows carry.
 */
export interface FactScope {
  allTime: true;
  leaderReviewChannels: string[];
  caseNos?: string[];
}
type Scope = MeasureParams | FactScope;
const isFacts = (p: Scope): p is FactScope => 'allTime' in p;

export type Target =
  /** A rate that must reach at least `value` (0..1). */
  | { kind: 'atLeast'; value: number; basis: string }
  /** The campaign's reductions: the figure must fall by `percent` against the same dates of the baseline year. */
  | { kind: 'reduction'; percent: number; basis: string };

export interface MeasureDef {
  key: string;
  name: string;
  kind: 'count' | 'rate';
  /** count: the sum of num; distinct: the number of distinct refs with num > 0. */
  aggregate?: 'sum' | 'distinct';
  numerator: string;
  denominator?: string;
  period: string;
  jurisdiction: string;
  target?: Target;
  /**
   * Additive by day and division: each row carries `day` (the Asia/Shanghai date that puts it in a period) and
   * `division` (the matter's), and its num/den do not depend on the period chosen. Such measures are read from the
   * daily aggregates; a distinct one from its day facts (`dayFacts` below); the others (cumulative or over leaders)
   * are computed directly.
   */
  daily?: true;
  rows(p: MeasureParams): SQL;
  /** The same rows without a period or jurisdiction (only for daily measures). */
  facts?(p: FactScope): SQL;
  /**
   * A distinct measure kept per day (key petitioners), which no sum of days gives: `dayFacts` are its facts, one per
   * matter, Asia/Shanghai day and label — (case_no, day, cat, ref, division, open, ended_at) — with what decides at a
   * period's end whether the ref counts; `fromDayFacts` makes the measure's rows of a period from such facts. `rows`
   * is `fromDayFacts` over the period's live facts; read-model/measure-rollup.ts keeps every matter's facts in
   * measure_day_facts, and a figure is `fromDayFacts` over those (the same SQL, so the same figure).
   */
  dayFacts?(p: MeasureParams | FactScope): SQL;
  fromDayFacts?(p: MeasureParams, facts: SQL): SQL;
}

// --- SQL building blocks --------------------------------------------------------------------------------------

/** [from 00:00, to+1 00:00) Asia/Shanghai as timestamptz parameters. */
function bounds(p: MeasureParams): { lo: SQL; hi: SQL } {
  return { lo: sql`${startOfShanghaiDay(p.from)}::timestamptz`, hi: sql`${startOfShanghaiDay(addNaturalDays(p.to, 1))}::timestamptz` };
}
/** The instant falls in the period (for facts: the instant exists, whenever it is). */
function inPeriod(expr: SQL, p: Scope): SQL {
  if (isFacts(p)) return sql`(${expr} is not null)`;
  const { lo, hi } = bounds(p);
  return sql`(${expr} >= ${lo} and ${expr} < ${hi})`;
}
/** A limit's last day (YYYY-MM-DD; it ends 24:00 Asia/Shanghai) within [from, to]. */
function inDates(expr: SQL, p: Scope): SQL {
  if (isFacts(p)) return sql`(${expr} is not null)`;
  return sql`(${expr} >= ${p.from} and ${expr} <= ${p.to})`;
}
function inDivisions(col: SQL, p: MeasureParams): SQL {
  if (!p.divisions.length) return sql`false`;
  return sql`${col} in (${sql.join(
    p.divisions.map((d) => sql`${d}`),
    sql`, `,
  )})`;
}
/** For facts of some matters: the case number is one of them (otherwise true). */
function ofMatters(col: SQL, p: Scope): SQL {
  if (!isFacts(p) || !p.caseNos) return sql`true`;
  if (!p.caseNos.length) return sql`false`;
  return sql`${col} in (${sql.join(
    p.caseNos.map((c) => sql`${c}`),
    sql`, `,
  )})`;
}
/** The matter lies in the jurisdiction (for facts: it is one of the matters asked for, if any). */
function P(p: Scope, own?: SQL): SQL {
  if (!isFacts(p)) return inDivisions(sql`p.division_code`, p);
  // Also on the row's own table, so the planner reaches it by its case index rather than a scan and a hash join.
  return own ? sql`${ofMatters(sql`p.case_no`, p)} and ${ofMatters(own, p)}` : ofMatters(sql`p.case_no`, p);
}
/** The Asia/Shanghai date of an instant: the day a daily row counts on. */
const day = (instant: SQL) => sql`((${instant}) at time zone 'Asia/Shanghai')::date`;
/** A daily measure: one SQL for the direct figure (period and jurisdiction) and for the facts (all of a matter's rows). */
function daily(rows: (p: Scope) => SQL): Pick<MeasureDef, 'daily' | 'rows' | 'facts'> {
  return { daily: true, rows, facts: rows };
}
/** A matter's first reply (处理意见书 delivered): `fr.at` of repliedRows, computed once per matter. */
const firstReply = sql`fr.at`;
/** Visits (recorded visits and submissions made in person) of a jurisdiction's matters in the period. */
function visitRows(p: Scope, num: { submission: SQL; visit: SQL }): SQL {
  return sql`
    select s.id as ref, s.case_no, ${num.submission} as num, null::int as den, 'in_person_submission' as cat,
           ${day(sql`s.received_at`)} as day, p.division_code as division
      from submissions s join petitions p on p.case_no = s.case_no
     where s.channel = 'visit' and ${inPeriod(sql`s.received_at`, p)} and ${P(p, sql`s.case_no`)}
    union all
    select e.id, e.case_no, ${num.visit}, null::int, 'recorded_visit', ${day(sql`(e.data->>'at')::timestamptz`)}, p.division_code
      from events e join petitions p on p.case_no = e.case_no
     where e.type = 'visit' and ${inPeriod(sql`(e.data->>'at')::timestamptz`, p)} and ${P(p, sql`e.case_no`)}
       -- POST /visits also files the visit as a submission under the visit's id: counted there, once.
       and not exists (select 1 from submissions v where v.id = e.data->>'id')`;
}
/** A limit of the read model's deadlines table decided (met or missed) with its last day in the period. */
function decidedLimitRows(keys: string[], p: Scope): SQL {
  return sql`
    select d.case_no || ':' || d.id as ref, d.case_no, (d.status = 'met')::int as num, 1 as den, d.key as cat,
           d.due_date::date as day, p.division_code as division
      from deadlines d join petitions p on p.case_no = d.case_no
     where d.key in (${sql.join(
       keys.map((k) => sql`${k}`),
       sql`, `,
     )}) and d.status in ('met', 'missed') and ${inDates(sql`d.due_date`, p)} and ${P(p, sql`d.case_no`)}`;
}
/** A limit of an escalation child workflow (kept in its state) decided with its last day in the period. */
function overlayLimitRows(kind: string, key: string, p: Scope): SQL {
  return sql`
    select o.id || ':' || (d->>'id') as ref, o.case_no, (d->>'status' = 'met')::int as num, 1 as den, o.trigger as cat,
           (d->>'dueDate')::date as day, p.division_code as division
      from escalations o cross join lateral jsonb_array_elements(o.state->'deadlines') d
      join petitions p on p.case_no = o.case_no
     where o.kind = ${kind} and d->>'key' = ${key} and d->>'status' in ('met', 'missed')
       and ${inDates(sql`(d->>'dueDate')`, p)} and ${P(p, sql`o.case_no`)}`;
}
/** Matters whose first reply falls in the period. */
function repliedRows(p: Scope, num: SQL, extraWhere: SQL = sql`true`): SQL {
  return sql`
    select p.case_no as ref, p.case_no, (${num})::int as num, 1 as den, null as cat, ${day(firstReply)} as day, p.division_code as division
      from petitions p cross join lateral (select min(r.at) as at from events r where r.case_no = p.case_no and r.type = 'replied') fr
     where ${P(p)} and ${inPeriod(firstReply, p)} and ${extraWhere}`;
}
const meetingHeld = (n: number) =>
  sql`exists (select 1 from events m where m.case_no = p.case_no and m.type = 'meeting.held' and m.data->>'meeting' = ${String(n)})`;
const meetingExempted = (n: number) =>
  sql`exists (select 1 from events m where m.case_no = p.case_no and m.type = 'meeting.exempted' and m.data->>'meeting' = ${String(n)})`;
const unsatisfied = sql`(e.data->>'unit' = 'unsatisfied' or e.data->>'bureau' = 'unsatisfied')`;
/** A matter's first unsatisfied evaluation (unit or bureau). */
const firstUnsatisfied = sql`(select min(e.at) from events e where e.case_no = p.case_no and e.type = 'evaluated' and ${unsatisfied})`;
/** A matter's first instant of `of` (a correlated min), computed once per matter as `f.at`. */
const once = (of: SQL) => sql`cross join lateral (select ${of} as at) f`;
/** When a return visit first became owed: the evaluation window closed unused, or an unsatisfied evaluation. */
const firstReturnVisitOwed = sql`(select min(e.at) from events e where e.case_no = p.case_no
                                    and (e.type = 'evaluation.expired' or (e.type = 'evaluated' and ${unsatisfied})))`;
const triageTypes = ['triage.assigned', 'triage.forwarded', 'triage.routed', 'triage.not_accepted', 'triage.linked'];
const triageIn = sql.join(
  triageTypes.map((t) => sql`${t}`),
  sql`, `,
);

/**
 * Key petitioners' day facts: each matter's days with a repeat submission ('repeat') or a skip-level investigation
 * opened ('skip_level'), with the matter's petitioner key (ref), division, and whether and when it ended. From the
 * period's repeats and skip-level visits to their matters, one index lookup each (lateral): read the other way,
 * every matter was read to test its end. `limit 1` (a case number is one matter) keeps the planner from flattening
 * the lateral back into that hash join.
 */
function keyPetitionerDays(p: Scope): SQL {
  return sql`
    select c.case_no, c.day, c.cat, p.ref, p.division, p.open, p.ended_at
      from (select s.case_no, ${day(sql`s.received_at`)} as day, 'repeat' as cat
              from submissions s where not s.initial and ${inPeriod(sql`s.received_at`, p)} and ${ofMatters(sql`s.case_no`, p)}
            union
            select o.case_no, ${day(sql`o.opened_at`)}, 'skip_level'
              from escalations o where o.kind = 'investigation' and o.trigger = 'skip_level' and ${inPeriod(sql`o.opened_at`, p)} and ${ofMatters(sql`o.case_no`, p)}) c
      cross join lateral (
        select p.petitioner_key as ref, p.division_code as division, p.open, p.ended_at from petitions p
         where p.case_no = c.case_no and ${P(p)} and p.petitioner_key is not null
         limit 1) p`;
}
/**
 * Key petitioners' rows of a period from day facts: one per matter with a fact in the period and jurisdiction that
 * is unresolved at the period's end (still open, or ended after it); labelled skip_level when one of its facts in
 * the period is a skip-level investigation, else repeat. The figure counts distinct refs.
 */
function keyPetitionerRows(p: MeasureParams, facts: SQL): SQL {
  const { hi } = bounds(p);
  return sql`
    select f.ref, f.case_no, 1 as num, null::int as den,
           case when bool_or(f.cat = 'skip_level') then 'skip_level' else 'repeat' end as cat
      from (${facts}) f
     where f.day >= ${p.from}::date and f.day <= ${p.to}::date and ${inDivisions(sql`f.division`, p)}
       and (f.open or f.ended_at >= ${hi})
     group by f.ref, f.case_no`;
}

const CAMPAIGN = '丽委办发〔2018〕51号 化积案/查重访 两年目标';

// --- The measures ---------------------------------------------------------------------------------------------

export const measures: MeasureDef[] = [
  {
    key: 'visit_batches',
    name: '来访批次',
    kind: 'count',
    numerator: 'submissions made in person (channel visit) received in the period — a visit recorded through POST /visits is one of them — plus visits recorded on matters without such a submission, dated in the period; one batch each',
    period: 'the submission’s receipt instant / the visit’s own instant',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'reduction', percent: 20, basis: CAMPAIGN + '：信访总量下降20%' },
    ...daily((p) => visitRows(p, { submission: sql`1`, visit: sql`1` })),
  },
  {
    key: 'visit_persons',
    name: '来访人次',
    kind: 'count',
    numerator: 'persons of the same batches: the matter’s persons count for an in-person submission, the visit’s persons for a recorded visit',
    period: 'as 来访批次',
    jurisdiction: 'problem location of the matter',
    ...daily((p) =>
      visitRows(p, {
        // A recorded visit's persons are the visit's own; a registration in person's, the matter's.
        submission: sql`coalesce((select (rv.data->>'persons')::int from events rv where rv.case_no = s.case_no and rv.type = 'visit' and rv.data->>'id' = s.id limit 1), p.persons_count)`,
        visit: sql`coalesce((e.data->>'persons')::int, 1)`,
      }),
    ),
  },
  {
    key: 'beijing_visits',
    name: '进京越级访',
    kind: 'count',
    numerator: 'visits recorded at national level (Beijing) dated in the period; breakdown: abnormal (非正常上访), collective (集体访, ≥5 persons), normal',
    period: 'the visit’s instant',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'reduction', percent: 30, basis: CAMPAIGN + '：进京越级访下降30%' },
    ...daily(
      (p) => sql`
      select e.id as ref, e.case_no, 1 as num, null::int as den,
             case when (e.data->>'abnormalInBeijing')::boolean then 'abnormal'
                  when (e.data->>'collective')::boolean then 'collective' else 'normal' end as cat,
             ${day(sql`(e.data->>'at')::timestamptz`)} as day, p.division_code as division
        from events e join petitions p on p.case_no = e.case_no
       where e.type = 'visit' and e.data->>'level' = 'national' and ${inPeriod(sql`(e.data->>'at')::timestamptz`, p)} and ${P(p, sql`e.case_no`)}`,
    ),
  },
  {
    key: 'key_petitioners',
    name: '重点信访人',
    kind: 'count',
    aggregate: 'distinct',
    numerator:
      'distinct petitioners (by the hashed main-petitioner key, never a hand-kept list) with, in the period, a repeat submission or a skip-level visit (一事双查 opened for 越级) on a matter not resolved by the end of the period',
    period: 'the repeat’s receipt instant / the skip-level investigation’s opening; unresolved = still open, or ended after the period',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'reduction', percent: 30, basis: CAMPAIGN + '：重点信访人下降30%' },
    rows: (p) => keyPetitionerRows(p, keyPetitionerDays(p)),
    dayFacts: (p) => keyPetitionerDays(p),
    fromDayFacts: (p, facts) => keyPetitionerRows(p, facts),
  },
  {
    key: 'one_time_resolution',
    name: '初信初访一次性化解率',
    kind: 'rate',
    numerator:
      'of those, replied on time (no handling or extension limit missed) and with no repeat submission, no skip-level investigation and no review request within 30 d after the reply',
    denominator: 'matters whose first reply (处理意见书 delivered) falls in the period',
    period: 'the first reply’s instant',
    jurisdiction: 'problem location of the matter',
    ...daily((p) =>
      repliedRows(
        p,
        sql`not exists (select 1 from deadlines d where d.case_no = p.case_no and d.key in ('handling', 'extension') and d.status = 'missed')
        and not exists (select 1 from submissions s where s.case_no = p.case_no and not s.initial
                          and s.received_at > ${firstReply} and s.received_at <= ${firstReply} + interval '30 days')
        and not exists (select 1 from escalations o where o.case_no = p.case_no and o.kind = 'investigation' and o.trigger = 'skip_level'
                          and o.opened_at > ${firstReply} and o.opened_at <= ${firstReply} + interval '30 days')
        and not exists (select 1 from events v where v.case_no = p.case_no and v.type = 'review.requested'
                          and v.at > ${firstReply} and v.at <= ${firstReply} + interval '30 days')`,
      ),
    ),
  },
  ...(['unit', 'bureau'] as const).map(
    (side): MeasureDef => ({
      key: `satisfaction_${side}`,
      name: side === 'unit' ? '满意率（责任单位）' : '满意率（信访部门）',
      kind: 'rate',
      numerator: `evaluations rating the ${side === 'unit' ? 'responsible unit' : 'bureau'} 满意 or 基本满意`,
      denominator: 'evaluations recorded in the period',
      period: 'the evaluation’s instant',
      jurisdiction: 'problem location of the matter',
      ...daily(
        (p) => sql`
        select e.id as ref, e.case_no, (e.data->>${side} in ('satisfied', 'basically_satisfied'))::int as num, 1 as den, e.data->>${side} as cat,
               ${day(sql`e.at`)} as day, p.division_code as division
          from events e join petitions p on p.case_no = e.case_no
         where e.type = 'evaluated' and ${inPeriod(sql`e.at`, p)} and ${P(p, sql`e.case_no`)}`,
      ),
    }),
  ),
  {
    key: 'evaluation_participation',
    name: '参评率',
    kind: 'rate',
    numerator: 'evaluations recorded in the period',
    denominator: 'evaluations recorded plus evaluation windows that closed unused (超期未评价) in the period',
    period: 'the evaluation’s instant / the window’s close',
    jurisdiction: 'problem location of the matter',
    ...daily(
      (p) => sql`
      select e.id as ref, e.case_no, (e.type = 'evaluated')::int as num, 1 as den, e.type as cat, ${day(sql`e.at`)} as day, p.division_code as division
        from events e join petitions p on p.case_no = e.case_no
       where e.type in ('evaluated', 'evaluation.expired') and ${inPeriod(sql`e.at`, p)} and ${P(p, sql`e.case_no`)}`,
    ),
  },
  {
    key: 'leader_review_rate',
    name: '领导阅批率',
    kind: 'rate',
    numerator: 'of those, matters reached by at least one leader’s 阅批',
    denominator: 'initial letters and online submissions (configurable channels) received in the period',
    period: 'the matter’s receipt instant',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'atLeast', value: 0.3, basis: '丽委办发〔2018〕51号 二（一）：主要领导阅批初信初访≥30%' },
    ...daily(
      (p) => sql`
      select p.case_no as ref, p.case_no,
             exists (select 1 from leader_review_matters lr where lr.case_no = p.case_no)::int as num, 1 as den, p.channel as cat,
             ${day(sql`p.received_at`)} as day, p.division_code as division
        from petitions p
       where ${P(p)} and ${inPeriod(sql`p.received_at`, p)} and p.channel in (${sql.join(
         p.leaderReviewChannels.map((c) => sql`${c}`),
         sql`, `,
       )})`,
    ),
  },
  {
    key: 'reception_day_compliance',
    name: '县级领导接访日落实率',
    kind: 'rate',
    numerator: 'of those leader-months, the ones with at least one reception day held in that month',
    denominator: 'active county-level leaders × calendar months that overlap the period',
    period: 'calendar months (Asia/Shanghai) overlapping the period',
    jurisdiction: 'the leader’s division',
    target: { kind: 'atLeast', value: 1, basis: '丽委办发〔2018〕51号 二（一）：县级领导每月接访不少于1天' },
    rows: (p) => sql`
      select l.id || ':' || to_char(m, 'YYYY-MM') as ref, null as case_no,
             exists (select 1 from reception_days r where r.leader_id = l.id
                      and r.held_on >= m::date and r.held_on < (m + interval '1 month')::date)::int as num,
             1 as den, to_char(m, 'YYYY-MM') as cat
        from leaders l
        cross join generate_series(date_trunc('month', ${p.from}::date), date_trunc('month', ${p.to}::date), interval '1 month') m
       where l.level = 'county' and l.active and ${inDivisions(sql`l.division_code`, p)}`,
  },
  {
    key: 'meeting_1_rate',
    name: '三见面①（责任单位见面）',
    kind: 'rate',
    numerator: 'of those, matters with meeting ① held (not exempted)',
    denominator: 'matters whose first reply falls in the period, less those exempted from meeting ① with a reason',
    period: 'the first reply’s instant',
    jurisdiction: 'problem location of the matter',
    ...daily((p) => repliedRows(p, meetingHeld(1), sql`not ${meetingExempted(1)}`)),
  },
  {
    key: 'meeting_2_rate',
    name: '三见面②（当面送达结果）',
    kind: 'rate',
    numerator: 'of those, matters with meeting ② held (the result delivered face to face)',
    denominator: 'matters whose first reply falls in the period, less those exempted from meeting ② with a reason',
    period: 'the first reply’s instant',
    jurisdiction: 'problem location of the matter',
    ...daily((p) => repliedRows(p, meetingHeld(2), sql`not ${meetingExempted(2)}`)),
  },
  {
    key: 'meeting_3_rate',
    name: '三见面③（不满意领导见面）',
    kind: 'rate',
    numerator: 'of those, matters with meeting ③ held by the unit’s leader',
    denominator: 'matters whose first unsatisfied evaluation (unit or bureau) falls in the period, less those exempted from meeting ③',
    period: 'the first unsatisfied evaluation’s instant (a matter counts once, on that day)',
    jurisdiction: 'problem location of the matter',
    ...daily(
      (p) => sql`
      select p.case_no as ref, p.case_no, ${meetingHeld(3)}::int as num, 1 as den, null as cat, ${day(sql`f.at`)} as day, p.division_code as division
        from petitions p ${once(firstUnsatisfied)}
       where ${P(p)} and not ${meetingExempted(3)} and ${inPeriod(sql`f.at`, p)}`,
    ),
  },
  {
    key: 'return_visit_rate',
    name: '回访率',
    kind: 'rate',
    numerator: 'of those, matters with a return visit (回访) recorded',
    denominator: 'matters whose evaluation window first closed unused (超期未评价) or that were first evaluated unsatisfied in the period',
    period: 'the first such close or evaluation (a matter counts once, on that day)',
    jurisdiction: 'problem location of the matter',
    ...daily(
      (p) => sql`
      select p.case_no as ref, p.case_no,
             exists (select 1 from events rv where rv.case_no = p.case_no and rv.type = 'return_visit')::int as num, 1 as den, null as cat,
             ${day(sql`f.at`)} as day, p.division_code as division
        from petitions p ${once(firstReturnVisitOwed)}
       where ${P(p)} and ${inPeriod(sql`f.at`, p)}`,
    ),
  },
  {
    key: 'on_time_acceptance',
    name: '按期受理率',
    kind: 'rate',
    numerator: 'of those, limits met',
    denominator: 'acceptance limits (15 d) decided — met or missed — whose last day falls in the period',
    period: 'the limit’s last day',
    jurisdiction: 'problem location of the matter',
    ...daily((p) => decidedLimitRows(['acceptance'], p)),
  },
  {
    key: 'on_time_reply',
    name: '按期答复率',
    kind: 'rate',
    numerator: 'of those, limits met',
    denominator: 'handling (60 d) and extension limits decided — met or missed — whose last day falls in the period',
    period: 'the limit’s last day',
    jurisdiction: 'problem location of the matter',
    ...daily((p) => decidedLimitRows(['handling', 'extension'], p)),
  },
  {
    key: 'new_backlog_rate',
    name: '新增积案率',
    kind: 'rate',
    numerator: 'matters that became new backlog (一事双查 opened for new_backlog) in the period',
    denominator: 'matters registered in the period',
    period: 'the investigation’s opening / the registration instant',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'reduction', percent: 50, basis: CAMPAIGN + '：新增积案率下降50%' },
    ...daily(
      (p) => sql`
      select 'new:' || o.id as ref, o.case_no, 1 as num, 0 as den, 'new_backlog' as cat, ${day(sql`o.opened_at`)} as day, p.division_code as division
        from escalations o join petitions p on p.case_no = o.case_no
       where o.kind = 'investigation' and o.trigger = 'new_backlog' and ${inPeriod(sql`o.opened_at`, p)} and ${P(p, sql`o.case_no`)}
      union all
      select 'reg:' || p.case_no, p.case_no, 0, 1, 'registered', ${day(sql`p.registered_at`)}, p.division_code
        from petitions p
       where ${P(p)} and ${inPeriod(sql`p.registered_at`, p)}`,
    ),
  },
  ...(
    [
      ['national', '积案化解率（国家交办）', 1, '丽委办发〔2018〕51号 三：国家信访局交办积案化解100%'],
      ['province', '积案化解率（省交办）', 0.8, '丽委办发〔2018〕51号 三：省、市交办积案化解≥80%'],
      ['city', '积案化解率（市交办）', 0.8, '丽委办发〔2018〕51号 三：省、市交办积案化解≥80%'],
    ] as const
  ).map(
    ([level, name, value, basis]): MeasureDef => ({
      key: `backlog_resolution_${level}`,
      name,
      kind: 'rate',
      numerator: 'of those, cases closed under 三到位一处理 by the end of the period (and not reopened since)',
      denominator: `backlog cases assigned by the ${level} level on or before the end of the period`,
      period: 'cumulative to the end of the period (the campaign’s 清零 count)',
      jurisdiction: 'the backlog case’s division',
      target: { kind: 'atLeast', value, basis },
      rows: (p) => sql`
        select b.id as ref, (select min(bm.case_no) from backlog_case_matters bm where bm.backlog_id = b.id) as case_no,
               (b.status = 'closed' and b.closed_on <= ${p.to}::date)::int as num, 1 as den, b.source as cat
          from backlog_cases b
         where b.assigning_level = ${level} and b.assigned_on <= ${p.to}::date and ${inDivisions(sql`b.division_code`, p)}`,
    }),
  ),
  {
    key: 'warning_explanation_timeliness',
    name: '预警说明及时率',
    kind: 'rate',
    numerator: 'of those, explanations submitted in time',
    denominator: 'written explanations owed after a warning slip (3 WD from the later visit) decided, with its last day in the period',
    period: 'the limit’s last day',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'atLeast', value: 1, basis: '丽委办发〔2018〕51号 二（二）4：3个工作日内书面说明' },
    ...daily((p) => overlayLimitRows('warning_slip', 'warningExplanation', p)),
  },
  {
    key: 'three_party_review_timeliness',
    name: '三方会审及时率',
    kind: 'rate',
    numerator: 'of those, reviews completed in time (participants, session, recording and archive receipt on file)',
    denominator: 'three-party reviews whose 15 WD limit was decided with its last day in the period',
    period: 'the limit’s last day',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'atLeast', value: 1, basis: '丽委办发〔2018〕51号 二（三）2：15个工作日内三方会审并全程录音录像' },
    ...daily((p) => overlayLimitRows('three_party_review', 'threePartyReview', p)),
  },
  {
    key: 'investigation_completion',
    name: '一事双查完成率',
    kind: 'rate',
    numerator: 'of those, investigations completed (both findings and a recommendation)',
    denominator: 'accountability investigations (new backlog or skip-level) opened in the period',
    period: 'the investigation’s opening',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'atLeast', value: 1, basis: '丽委办发〔2018〕51号 二（三）3：逐案倒查' },
    ...daily(
      (p) => sql`
      select o.id as ref, o.case_no, (o.status = 'completed')::int as num, 1 as den, o.trigger as cat, ${day(sql`o.opened_at`)} as day, p.division_code as division
        from escalations o join petitions p on p.case_no = o.case_no
       where o.kind = 'investigation' and ${inPeriod(sql`o.opened_at`, p)} and ${P(p, sql`o.case_no`)}`,
    ),
  },
  {
    key: 'statutory_routing_rate',
    name: '诉访分离导入率',
    kind: 'rate',
    numerator: 'of those, matters routed to a statutory channel with a written notice (法定途径告知)',
    denominator: 'triage outcomes recorded in the period (assigned, forwarded, routed, not accepted, linked)',
    period: 'the triage outcome’s instant',
    jurisdiction: 'problem location of the matter',
    ...daily(
      (p) => sql`
      select e.id as ref, e.case_no, (e.type = 'triage.routed')::int as num, 1 as den, e.type as cat, ${day(sql`e.at`)} as day, p.division_code as division
        from events e join petitions p on p.case_no = e.case_no
       where e.type in (${triageIn}) and ${inPeriod(sql`e.at`, p)} and ${P(p, sql`e.case_no`)}`,
    ),
  },
  {
    key: 'daily_clearance',
    name: '天天清（当日登记当日流转）',
    kind: 'rate',
    numerator: 'of those, matters whose first triage outcome was recorded on the day of registration (Asia/Shanghai)',
    denominator: 'matters registered in the period',
    period: 'the registration instant',
    jurisdiction: 'problem location of the matter',
    target: { kind: 'atLeast', value: 1, basis: '丽委办发〔2018〕51号 二（一）：天天清' },
    ...daily(
      (p) => sql`
      select p.case_no as ref, p.case_no,
             coalesce((select (min(t.at) at time zone 'Asia/Shanghai')::date = (p.registered_at at time zone 'Asia/Shanghai')::date
                         from events t where t.case_no = p.case_no and t.type in (${triageIn})), false)::int as num,
             1 as den, null as cat, ${day(sql`p.registered_at`)} as day, p.division_code as division
        from petitions p
       where ${P(p)} and ${inPeriod(sql`p.registered_at`, p)}`,
    ),
  },
  // The quarterly 挂牌督办 rank (domain/listing-rank.ts): read from the quarterly digests, not daily.
  listingRankMeasure satisfies MeasureDef,
];

export const measureKeys = measures.map((m) => m.key);

export function measureByKey(key: string): MeasureDef | undefined {
  return measures.find((m) => m.key === key);
}

export type MeasureStatus = 'met' | 'not_met' | 'no_data' | 'no_target';

/** value: a rate in 0..1 (4 decimals) or a count; null when a rate has nothing in its denominator. */
export function valueOf(def: MeasureDef, numerator: number, denominator: number | null): number | null {
  if (def.kind === 'count') return numerator;
  if (!denominator) return null;
  return Math.round((numerator / denominator) * 10_000) / 10_000;
}

/**
 * The target figure and whether it is met. A reduction compares with the same dates of the baseline year: the
 * figure must be at most baseline × (1 − percent/100); without any baseline figure there is nothing to compare.
 */
export function judge(def: MeasureDef, value: number | null, baseline: number | null): { targetValue: number | null; status: MeasureStatus } {
  const t = def.target;
  if (!t) return { targetValue: null, status: 'no_target' };
  if (t.kind === 'atLeast') return { targetValue: t.value, status: value === null ? 'no_data' : value >= t.value ? 'met' : 'not_met' };
  if (baseline === null || baseline === 0 || value === null) return { targetValue: null, status: 'no_data' };
  const targetValue = Math.round(baseline * (1 - t.percent / 100) * 10_000) / 10_000;
  return { targetValue, status: value <= targetValue ? 'met' : 'not_met' };
}

/** The same dates in another year (29 February becomes the 28th). */
export function shiftToYear(date: string, year: number): string {
  const md = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${String(year).padStart(4, '0')}-${md}`;
}

/** Calendar months overlapping [from, to], each clipped to the period. */
export function monthsOf(from: string, to: string): { month: string; from: string; to: string }[] {
  const out: { month: string; from: string; to: string }[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > to.slice(0, 7)) break;
    const first = `${month}-01`;
    const nextY = m === 12 ? y + 1 : y;
    const nextM = m === 12 ? 1 : m + 1;
    const last = addNaturalDays(`${nextY}-${String(nextM).padStart(2, '0')}-01`, -1);
    out.push({ month, from: first < from ? from : first, to: last > to ? to : last });
    y = nextY;
    m = nextM;
  }
  return out;
}
