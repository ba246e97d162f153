import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import { caseNumberCounters, divisions, idempotencyKeys, intakeOutbox, petitions, submissions, units } from '../db/schema';
import { competentLevelFor } from '../domain/triggers';
import { shanghaiDateOf } from '../domain/dates';
import { isCollective, MAX_RECEIPT_AGE_DAYS, type Intake, type IntakeResult } from '../domain/petition';
import type { Principal } from '../domain/access';
import { submissionSignal } from '../workflows/messages';
import { WORKFLOW_ID_PREFIX, workflowIdFor } from '../workflows/ids';
import { petitionWorkflow } from '../workflows/petition';
import type { PetitionInput, PetitionSettings } from '../domain/matter';
import { queryRows } from '../read-model/rows';
import { ServiceError } from './errors';
import { keyReused, requestHash } from './idempotency';
import { temporalCall } from './temporal-calls';

export interface IntakeDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  /** The clock (tests on the time-skipping server pass its time). */
  now?: () => Date;
}

export type { IntakeResult };
export { workflowIdFor };

export function settingsFrom(config: AppConfig): PetitionSettings {
  return {
    reminderLeadDays: config.REMINDER_LEAD_DAYS,
    evaluationDays: config.EVALUATION_WINDOW_DAYS,
    investigationDays: config.INVESTIGATION_LIMIT_DAYS,
    lingerDays: 180,
    historyLimit: 2000,
  };
}

/** sha-256 of the main petitioner's ID: lets intake find possible repeats without comparing PII in clear. */
export function petitionerKey(intake: Intake): string | null {
  const p = intake.petitioners.find((x) => x.main) ?? intake.petitioners[0];
  if (!p?.idNumber) return null;
  return createHash('sha256').update(`${p.idType}:${p.idNumber.toUpperCase()}`).digest('hex');
}

const QUERY_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** 查询码: eight characters without look-alikes (0/O, 1/I). */
export function newQueryCode(): string {
  return [...randomBytes(8)].map((b) => QUERY_ALPHABET[b % QUERY_ALPHABET.length]).join('');
}

/**
 * 信访件编号: LS + registration date (Asia/Shanghai) + a 5-digit daily sequence (more digits past 99,999: lpad alone
 * would cut them and repeat a number). The counter's increment is a CTE of the statement that writes the matter
 * (`c`, read by the other rows as `(select case_no from c)`): one round trip fewer, and a registration that fails
 * (a raced Idempotency-Key) takes its number back instead of leaving a gap.
 */
function caseNoCounter(now: Date): SQL {
  const day = shanghaiDateOf(now).replaceAll('-', '');
  return sql`insert into ${caseNumberCounters} (day, last) values (${day}, 1)
    on conflict (day) do update set last = ${caseNumberCounters}.last + 1
    returning 'LS' || day || (case when last < 100000 then lpad(last::text, 5, '0') else last::text end) as case_no`;
}
const newCaseNo = sql`(select case_no from c)`;
/** The new matter's workflow id, in SQL: what workflowIdFor gives for the number the counter allocated. */
const newWorkflowId = sql`${WORKFLOW_ID_PREFIX} || ${newCaseNo}`;
/** The first submission of a matter is `<case number>-S1`. */
const INITIAL_SUBMISSION_SUFFIX = '-S1';

/**
 * Division levels (reference data, seeded with the service): read once per database and kept, so that a registration
 * does not ask for them again. An unknown code reloads once, for a division added since.
 */
const divisionLevels = new WeakMap<Db, Map<string, string>>();
async function divisionLevelOf(db: Db, code: string): Promise<string | undefined> {
  let levels = divisionLevels.get(db);
  if (!levels || !levels.has(code)) {
    levels = new Map((await db.select({ code: divisions.code, level: divisions.level }).from(divisions)).map((d) => [d.code, d.level]));
    divisionLevels.set(db, levels);
  }
  return levels.get(code);
}

function isUniqueViolation(err: unknown): boolean {
  const code = (e: unknown) => (e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined);
  return code(err) === '23505' || code((err as { cause?: unknown } | null)?.cause) === '23505';
}


/**
 * Registers a petition (or links a submission to an open matter) and starts its workflow.
 * With an Idempotency-Key, a retried request returns the first answer and never creates a second matter.
 */
export async function registerPetition(deps: IntakeDeps, principal: Principal, intake: Intake, idemKey?: string): Promise<IntakeResult> {
  const { db } = deps;
  const now = deps.now?.() ?? new Date();
  const receivedAt = intake.receivedAt ? new Date(intake.receivedAt) : now;
  if (receivedAt.getTime() > now.getTime() + 60_000) throw new ServiceError(400, 'InvalidInput', 'receivedAt is in the future', { receivedAt: 'in the future' });
  if (receivedAt.getTime() < now.getTime() - MAX_RECEIPT_AGE_DAYS * 86_400_000)
    throw new ServiceError(400, 'InvalidInput', `receivedAt is more than ${MAX_RECEIPT_AGE_DAYS} days ago`, { receivedAt: `more than ${MAX_RECEIPT_AGE_DAYS} days ago` });
  const hash = requestHash('intake', intake);
  const key = idemKey ?? randomUUID();

  const pkey = petitionerKey(intake);
  // The reads that decide whether and how to register, at once (each its own round trip otherwise).
  const [previous, repeats, known] = await Promise.all([
    db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key)),
    pkey
      ? db
          .select({ caseNo: petitions.caseNo, status: petitions.status, registeredAt: petitions.registeredAt })
          .from(petitions)
          .where(and(eq(petitions.petitionerKey, pkey), eq(petitions.open, true)))
          .limit(20)
      : Promise.resolve([]),
    intake.accusedUnitIds.length && !intake.linkToCaseNo ? db.select({ id: units.id }).from(units).where(inArray(units.id, intake.accusedUnitIds)) : Promise.resolve(undefined),
  ]);
  if (previous[0]) {
    const p = previous[0];
    if (p.userId !== principal.id || p.requestHash !== hash) {
      throw keyReused();
    }
    if (p.response) return p.response;
    // The first attempt stopped between writing and starting: finish it the same way.
    return resume(deps, key, p.caseNo, intake, principal, receivedAt);
  }

  const possibleRepeats = repeats.map((r) => ({ ...r, registeredAt: r.registeredAt.toISOString() }));

  if (intake.linkToCaseNo) return linkSubmission(deps, principal, intake, key, hash, receivedAt, possibleRepeats);
  // Repeats are linked, not duplicated: a new matter beside open ones of the same petitioner needs its reason.
  if (possibleRepeats.length && !intake.newMatterReason) {
    throw new ServiceError(409, 'PossibleRepeat', `the petitioner has open matters (${possibleRepeats.map((r) => r.caseNo).join(', ')}): link the submission to one of them (linkToCaseNo) or register a new matter with newMatterReason`, {
      newMatterReason: `required: possible repeats ${possibleRepeats.map((r) => r.caseNo).join(', ')}`,
    });
  }

  if (known) {
    if (known.length !== new Set(intake.accusedUnitIds).size) throw new ServiceError(400, 'InvalidInput', 'unknown unit among accusedUnitIds', { accusedUnitIds: 'unknown unit' });
  }

  const queryCode = newQueryCode();
  const level = await divisionLevelOf(db, intake.divisionCode);
  // The workflow's input for a case number (the statement below allocates it and writes it into the stored input).
  const inputOf = (caseNo: string) => startInput(deps, caseNo, intake, principal, receivedAt, now, level);
  crashPoint(deps, 'before-insert');
  // The case number and the four rows in one statement (data-modifying WITH): written together or not at all, like a
  // transaction, without its begin and commit and four more round trips. The matter cannot exist without the order
  // to start its workflow. Each row takes the number from the counter's CTE.
  const rows = [
    db.insert(idempotencyKeys).values({ key, userId: principal.id, requestHash: hash, caseNo: newCaseNo }),
    db.insert(petitions).values({
      caseNo: newCaseNo,
      queryCode,
      workflowId: newWorkflowId,
      status: 'REGISTERED',
      channel: intake.channel,
      source: intake.source,
      divisionCode: intake.divisionCode,
      category: intake.category,
      purpose: intake.purpose,
      summary: intake.summary,
      petitioners: intake.petitioners,
      petitionerKey: pkey,
      personsCount: intake.personsCount,
      flags: { ...intake.flags, collective: isCollective(intake.personsCount), anonymous: intake.anonymous, jointSignature: intake.jointSignature },
      intake: {
        // The registrar's choice beside possible repeats (the repeat rate is measured from it).
        ...(possibleRepeats.length ? { repeatChoice: { possibleRepeats: possibleRepeats.map((r) => r.caseNo), newMatterReason: intake.newMatterReason } } : {}),
        agent: intake.agent, superior: intake.superior, leaderReception: intake.leaderReception, gridWorker: intake.gridWorker, attachments: intake.attachments, personsInvolved: intake.personsInvolved, accusedUnitIds: intake.accusedUnitIds },
      receivedAt,
      registeredAt: now,
      registeredBy: principal.id,
      firstReceiver: principal.id,
    }),
    db.insert(submissions).values({ id: sql`${newCaseNo} || ${INITIAL_SUBMISSION_SUFFIX}`, caseNo: newCaseNo, channel: intake.channel, source: intake.source, receivedAt, summary: intake.summary, petitioners: intake.petitioners, initial: true, registeredBy: principal.id }),
    db
      .insert(intakeOutbox)
      .values({
        caseNo: newCaseNo,
        workflowId: newWorkflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        input: sql`jsonb_set(${JSON.stringify(inputOf(''))}::jsonb, '{caseNo}', to_jsonb(${newCaseNo}))`,
      })
      .returning({ caseNo: intakeOutbox.caseNo }),
  ].map((q) => q.getSQL());
  const last = rows.pop()!;
  const written = await queryRows<{ case_no: string }>(db, sql`with c as (${caseNoCounter(now)}), ${sql.join(rows.map((q, i) => sql`${sql.raw(`w${i}`)} as (${q})`), sql`, `)} ${last}`).then(
    (r) => r[0]!.case_no,
    (err: unknown) => {
      if (idemKey && isUniqueViolation(err)) return null;
      throw err;
    },
  );
  // A concurrent request with the same Idempotency-Key inserted it first (unique violation): answer as a retry does,
  // with that request's matter, instead of a 500.
  if (written === null) return registerPetition(deps, principal, intake, idemKey);
  const caseNo = written;
  crashPoint(deps, 'after-insert');
  // No compensation: if the start fails or its outcome is unknown (Temporal down or frozen), the rows stay with their
  // outbox entry; a retry with the same key, or the worker's recovery loop, starts the workflow (idempotently, on
  // its deterministic id). Deleting here once orphaned a workflow whose start had in fact been committed.
  // What was just written is not read back.
  return complete(deps, key, { caseNo, queryCode, workflowId: workflowIdFor(caseNo), taskQueue: deps.config.TEMPORAL_TASK_QUEUE, input: inputOf(caseNo), startedAt: null }, possibleRepeats);
}

/** The workflow's input: no personal data (that stays in the petitions row). */
function startInput(deps: IntakeDeps, caseNo: string, intake: Intake, principal: Principal, receivedAt: Date, registeredAt: Date, divisionLevel: string | undefined): PetitionInput {
  return {
    caseNo,
    channel: intake.channel,
    source: intake.source,
    divisionCode: intake.divisionCode,
    personsCount: intake.personsCount,
    receivedAt: receivedAt.toISOString(),
    registeredAt: registeredAt.toISOString(),
    registeredBy: { id: principal.id, role: principal.role },
    accusedUnitIds: intake.accusedUnitIds,
    competentLevel: competentLevelFor(divisionLevel),
    settings: settingsFrom(deps.config),
  };
}

/** The steps of intake at which the crash test (test/integration/intake-crash.test.ts) kills the process. */
export const intakeSteps = ['before-insert', 'after-insert', 'after-start', 'after-response'] as const;
export type IntakeStep = (typeof intakeSteps)[number];

/** Fault injection for the crash test: INTAKE_CRASH_AT=<step> (development only) kills this process there. */
function crashPoint(deps: IntakeDeps, step: IntakeStep): void {
  if (deps.config.INTAKE_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}

/** Starts a matter's workflow from its outbox entry (idempotent: deterministic id, USE_EXISTING) and marks it started. */
export async function startFromOutbox(deps: Pick<IntakeDeps, 'db' | 'temporal' | 'config'>, entry: OutboxStart): Promise<void> {
  await startWorkflowOf(deps, entry);
  await deps.db.update(intakeOutbox).set({ startedAt: new Date() }).where(eq(intakeOutbox.caseNo, entry.caseNo));
}

type OutboxStart = Pick<typeof intakeOutbox.$inferSelect, 'caseNo' | 'workflowId' | 'taskQueue' | 'input'>;

/** Starts the workflow of an outbox entry; starting twice is harmless (deterministic id, USE_EXISTING). */
async function startWorkflowOf(deps: Pick<IntakeDeps, 'temporal' | 'config'>, entry: OutboxStart): Promise<void> {
  await temporalCall(deps, `starting the workflow of ${entry.caseNo}`, () =>
    deps.temporal.workflow.start(petitionWorkflow, {
      taskQueue: entry.taskQueue,
      workflowId: entry.workflowId,
      args: [entry.input as PetitionInput],
      // Starting twice is harmless: a retry finds the running matter.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    }),
  );
}

async function resume(
  deps: IntakeDeps,
  key: string,
  caseNo: string,
  intake: Intake,
  principal: Principal,
  receivedAt: Date,
  possibleRepeats: IntakeResult['possibleRepeats'] = [],
): Promise<IntakeResult> {
  const [row] = await deps.db.select().from(petitions).where(eq(petitions.caseNo, caseNo));
  if (!row) throw new ServiceError(409, 'Conflict', 'the earlier attempt with this Idempotency-Key did not complete; retry with a new key');
  let [entry] = await deps.db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, caseNo));
  if (!entry) {
    // A matter registered before the outbox existed: its entry, from the row.
    const input = startInput(deps, caseNo, intake, principal, receivedAt, row.registeredAt, await divisionLevelOf(deps.db, row.divisionCode));
    [entry] = await deps.db.insert(intakeOutbox).values({ caseNo, workflowId: row.workflowId, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, input }).onConflictDoNothing().returning();
    [entry] = entry ? [entry] : await deps.db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, caseNo));
  }
  return complete(deps, key, { ...entry!, queryCode: row.queryCode }, possibleRepeats);
}

/**
 * The end of a registration: starts the workflow unless its outbox entry says it was, then marks the entry started
 * and keeps the answer under the Idempotency-Key, in one statement.
 */
async function complete(
  deps: IntakeDeps,
  key: string,
  entry: OutboxStart & { startedAt: Date | null; queryCode: string },
  possibleRepeats: IntakeResult['possibleRepeats'],
): Promise<IntakeResult> {
  const { caseNo } = entry;
  if (!entry.startedAt) await startWorkflowOf(deps, entry);
  crashPoint(deps, 'after-start');
  const result: IntakeResult = { outcome: 'registered', caseNo, queryCode: entry.queryCode, workflowId: entry.workflowId, possibleRepeats: possibleRepeats.filter((p) => p.caseNo !== caseNo) };
  await deps.db.execute(sql`
    with started as (
      update ${intakeOutbox} set started_at = now() where case_no = ${caseNo} and started_at is null
    )
    update ${idempotencyKeys} set response = ${JSON.stringify(result)}::jsonb where key = ${key}`);
  crashPoint(deps, 'after-response');
  return result;
}

async function linkSubmission(
  deps: IntakeDeps,
  principal: Principal,
  intake: Intake,
  key: string,
  hash: string,
  receivedAt: Date,
  possibleRepeats: IntakeResult['possibleRepeats'],
): Promise<IntakeResult> {
  const caseNo = intake.linkToCaseNo!;
  const [matter] = await deps.db.select().from(petitions).where(eq(petitions.caseNo, caseNo));
  if (!matter) throw new ServiceError(404, 'NotFound', `no matter ${caseNo}`);
  if (!matter.open && matter.status !== 'TERMINATED') {
    throw new ServiceError(409, 'IllegalState', `matter ${caseNo} has ended (${matter.status}); register the submission as a new petition`);
  }
  const submissionId = `${caseNo}-S-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  // The workflow decides what the submission means (a repeat, or refused after 三级终结); it ignores a repeated id.
  await temporalCall(deps, `a submission on ${caseNo}`, () =>
    deps.temporal.workflow.getHandle(matter.workflowId).signal(submissionSignal, {
      id: submissionId,
      channel: intake.channel,
      receivedAt: receivedAt.toISOString(),
      summary: intake.summary,
      registeredBy: principal.id,
    }),
  );
  if (matter.status === 'TERMINATED') {
    // 三级终结: the workflow files the written refusal; the submission is not taken.
    throw new ServiceError(409, 'Refused', `matter ${caseNo} was terminated after re-review (三级终结): a submission on the same facts and reasons is not accepted again; a written notice was filed (《信访工作条例》第三十六条)`);
  }
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(submissions)
      // The submission keeps who brought it (personal data stays here, in the protected record, not in the signal).
      .values({ id: submissionId, caseNo, channel: intake.channel, source: intake.source, receivedAt, summary: intake.summary, petitioners: intake.petitioners, initial: false, registeredBy: principal.id })
      .onConflictDoNothing();
    const result: IntakeResult = { outcome: 'linked', caseNo, workflowId: matter.workflowId, possibleRepeats, submissionId };
    await tx.insert(idempotencyKeys).values({ key, userId: principal.id, requestHash: hash, caseNo, response: result }).onConflictDoNothing();
  });
  return { outcome: 'linked', caseNo, workflowId: matter.workflowId, possibleRepeats, submissionId };
}
