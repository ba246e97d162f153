// The petitioner's public channel (查询码): what the petitioner may see, and how they prove who they are.
// Pure: no I/O.
import type { Status } from './petition';

/** A query code locks at this many failed verifications (issue 7: "a code locks after 10 failures"). */
export const MAX_FACTOR_FAILURES = 10;

/** Each stage of a matter as the petitioner reads it. */
export const stageLabels: Record<Status, string> = {
  REGISTERED: '已登记',
  TRIAGE: '已登记，待转送交办',
  ROUTED_TO_CHANNEL: '已告知通过法定途径解决',
  NOT_ACCEPTED: '不予受理',
  LINKED: '已并入同一信访事项合并办理',
  AWAITING_ACCEPTANCE: '已转送交办，待受理',
  IN_HANDLING: '已受理，办理中',
  EXTENDED: '延期办理中',
  REPLIED: '已答复，待评价',
  UNSATISFIED: '已答复（不满意，跟进中）',
  CLOSED: '已办结',
  REVIEW: '复查中',
  REVIEWED: '已作出复查意见',
  RE_REVIEW: '复核中',
  TERMINATED: '已复核，终结（三级终结）',
};

/** A query code as typed: spaces dropped, upper case. */
export function normalizeQueryCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase();
}

interface PetitionerRecord {
  main?: boolean;
  phone?: string | null;
  idNumber?: string | null;
}

/**
 * The second factor only the petitioner knows: the last 4 digits of the main petitioner's registered phone, or of
 * the ID number when there is no phone (its last character may be X). Null when neither was registered: the
 * channel then never answers for the matter.
 */
export function expectedFactor(petitioners: unknown): string | null {
  if (!Array.isArray(petitioners) || petitioners.length === 0) return null;
  const list = petitioners as PetitionerRecord[];
  const p = list.find((x) => x?.main) ?? list[0];
  const phoneDigits = (p?.phone ?? '').replace(/\D/g, '');
  if (phoneDigits.length >= 4) return phoneDigits.slice(-4);
  const id = (p?.idNumber ?? '').replace(/\s/g, '').toUpperCase();
  if (id.length >= 4) return id.slice(-4);
  return null;
}

/** The Chinese part of a policy label ('处理期限 handling' → 处理期限). */
export function chineseLabel(label: string): string {
  return label.split(' ')[0] ?? label;
}
