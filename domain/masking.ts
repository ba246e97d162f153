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
  return { ...state, details };
}
