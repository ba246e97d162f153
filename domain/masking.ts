import { maskId, maskName, maskPhone } from './access';
import type { EscalationState } from './escalation';

/**
 * What lists show of personal data (domain.md §0: masked in lists and logs; a full read is audited). One place for
 * every list: matters' petitioners, and the escalations' records, whose free text (a three-party session's notes, a
 * warned unit's explanations, an investigation's findings) may name anyone and is withheld, not cut.
 */
/** Petitioners as lists show them: names, ID numbers and phones masked, addresses left out. */
export function maskPetitioners(ps: { name: string; main?: boolean; idNumber?: string | null; phone?: string | null }[]) {
  return ps.map((x) => ({ name: maskName(x.name), main: !!x.main, idNumber: maskId(x.idNumber), phone: maskPhone(x.phone) }));
}

/** Stands for free text withheld from a list; the full record (audited) has it. */
export const WITHHELD = null;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An escalation's state as lists show it: petitioners present masked, free text withheld, the rest as is. */
export function maskEscalationState(state: EscalationState): EscalationState {
  const details: Rec = { ...state.details };
  // 三方会审: the session's petitioners present and its notes.
  if (isRec(details.record) && isRec(details.record.session)) {
    const session = details.record.session;
    const present = Array.isArray(session.petitionersPresent) ? (session.petitionersPresent as string[]) : [];
    details.record = { ...details.record, session: { ...session, petitionersPresent: present.map(maskName), notes: WITHHELD } };
  }
  // 预警单: the warned unit's explanations.
  if (Array.isArray(details.explanations)) {
    details.explanations = (details.explanations as Rec[]).map((e) => ('content' in e ? { ...e, content: WITHHELD } : e));
  }
  // 一事双查: the findings.
  if (isRec(details.findings)) details.findings = { ...details.findings, handlingFinding: WITHHELD, accountabilityFinding: WITHHELD };
  // 预警单 issued by the bureau: its reason is what the bureau user wrote (the campaign's trigger is a code).
  if (typeof details.reason === 'string' && details.reason !== SLIP_TRIGGER) details.reason = WITHHELD;
  // The recent timeline carries the same records (a slip's reason, a closing reason): masked as a matter's is.
  const recent = Array.isArray(state.recent) ? state.recent.map((e) => ({ ...e, data: maskEscalationEvent(e.data) })) : state.recent;
  return { ...state, details, recent };
}

/** The warning slip's reason when the campaign's rule issued it (two later visits), not a person. */
const SLIP_TRIGGER = 'two_visits';
function maskEscalationEvent<D>(data: D): D {
  if (isRec(data) && data.reason === SLIP_TRIGGER) return { ...(maskTree(data) as Rec), reason: SLIP_TRIGGER } as D;
  return maskTree(data) as D;
}

/**
 * Free text that a caseworker, a leader or the petitioner wrote into a workflow's record, by its field name wherever
 * it occurs (the state and its timeline entries): withheld in a masked read. A meeting's reasons, a reply's request,
 * facts and opinion, a review's grounds and decision, return-visit and check-in notes, findings, a linked
 * submission's summary.
 */
const FREE_TEXT_KEYS = new Set(['note', 'notes', 'reason', 'grounds', 'decision', 'request', 'facts', 'opinion', 'summary', 'content', 'exemption', 'explanation', 'findings', 'handlingFinding', 'accountabilityFinding']);
/** Lists of people's names (a meeting's participants, a session's petitioners present): each name masked. */
const NAME_LIST_KEYS = new Set(['participants', 'petitionersPresent']);
/** Parts the system writes (limits, work-list tasks, settings): left as they are. */
const SYSTEM_KEYS = new Set(['deadlines', 'tasks', 'uncomputed', 'settings', 'policy']);

function maskTree(value: unknown, key?: string): unknown {
  if (key !== undefined && SYSTEM_KEYS.has(key)) return value;
  if (key !== undefined && FREE_TEXT_KEYS.has(key) && typeof value === 'string') return WITHHELD;
  if (key !== undefined && NAME_LIST_KEYS.has(key) && Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? maskName(v) : maskTree(v)));
  if (Array.isArray(value)) return value.map((v) => maskTree(v));
  if (isRec(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskTree(v, k)]));
  return value;
}

/**
 * A matter's live state (domain/matter.ts PetitionState) as a masked read answers it: names in meetings masked, every
 * free text withheld (also in the recent timeline), the structure, statuses, dates and limits as they are.
 */
export function maskPetitionState<S extends object>(state: S): S {
  return maskTree(state) as S;
}

/** A timeline entry's data (events of the read model), masked the same way. */
export function maskEventData<D>(data: D): D {
  return maskTree(data) as D;
}

/**
 * A backlog case's state (domain/backlog.ts BacklogState) masked: the dossier's participants masked and its notes,
 * the check-ins' notes, the on-site supervisions' findings, recommendations and their outcomes, the closure's summary,
 * the reopenings' notes and the assignment's reason withheld.
 */
export function maskBacklogState<S>(state: S): S {
  if (!isRec(state)) return state;
  const masked = maskTree(state) as Rec;
  if (Array.isArray(masked.supervisions)) {
    masked.supervisions = (masked.supervisions as Rec[]).map((v) =>
      Array.isArray(v.recommendations) ? { ...v, recommendations: (v.recommendations as Rec[]).map((r) => ({ ...r, text: WITHHELD, ...('outcome' in r ? { outcome: WITHHELD } : {}) })) } : v,
    );
  }
  return masked as S;
}

/**
 * A row of the backlog register as lists show it: the assignment's reason (free text that may name the petitioner)
 * withheld; the leader, the assigning body and the rest as they are.
 */
export function maskBacklogRow<R extends { reason: string | null }>(row: R): R {
  return { ...row, reason: row.reason === null ? null : WITHHELD };
}
