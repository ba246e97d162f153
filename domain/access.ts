/** Who may do what, and where (domain.md §0: role- and jurisdiction-scoped access). */
export const roles = ['registrar', 'unit_handler', 'unit_head', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** Bureau roles are bound to a division and see matters located in it or below it. */
  divisionCode?: string | null;
  /** Unit roles are bound to a unit and see the matters currently with that unit. */
  unitId?: string | null;
}

/** The parent of a division code, or undefined at the root. */
export type ParentOf = (code: string) => string | null | undefined;

export const unitRoles: readonly Role[] = ['unit_handler', 'unit_head'];

/** Not users of the service but channels: the petitioner through the public query-code channel (api/routes/public.ts). */
export const channelRoles = ['petitioner'] as const;
export type ChannelRole = (typeof channelRoles)[number];

/** Every command and the roles that may give it. One table for API and workflow. */
export const permissions = {
  register: ['registrar', 'admin'],
  triage: ['registrar', 'admin'],
  accept: ['unit_handler', 'unit_head', 'admin'],
  object: ['unit_handler', 'unit_head', 'admin'],
  meet: ['unit_handler', 'unit_head', 'admin'],
  /** 三见面③: the unit's leader meets an unsatisfied petitioner. */
  meetAsLeader: ['unit_head', 'admin'],
  reply: ['unit_handler', 'unit_head', 'admin'],
  /** 延期 needs the unit head's approval (条例 2022 第三十四条). */
  extend: ['unit_head', 'admin'],
  /**
   * 评价: the petitioner's, taken by the bureau on their behalf (never by the unit being evaluated: nobody marks
   * their own homework), or given by the petitioner through the query-code channel (api/routes/public.ts).
   */
  evaluate: ['registrar', 'supervisor', 'admin', 'petitioner'],
  returnVisit: ['registrar', 'supervisor', 'admin'],
  sendBack: ['registrar', 'supervisor', 'admin'],
  requestReview: ['registrar', 'admin'],
  /** Review bodies act through the bureau's supervisors in this service. */
  decideReview: ['supervisor', 'admin'],
  hearing: ['supervisor', 'admin'],
  recordVisit: ['registrar', 'supervisor', 'admin'],
  warn: ['registrar', 'supervisor', 'admin'],
  /** The warned unit explains; a slip issued before the matter had a unit, the locality's leaders (supervisors). */
  explain: ['unit_handler', 'unit_head', 'supervisor', 'admin'],
  threePartyReview: ['supervisor', 'admin'],
  investigate: ['supervisor', 'admin'],
  read: ['registrar', 'unit_handler', 'unit_head', 'supervisor', 'admin'],
  readMeasures: ['supervisor', 'admin'],
  /** 化积案: assign, plan, supervise on site and confirm closure (the bureau). */
  backlogManage: ['supervisor', 'admin'],
  /** The 包案 leader's check-ins and dossier entries (recorded by the bureau or the unit's head). */
  backlogCheckIn: ['supervisor', 'unit_head', 'admin'],
  /** 清初访 leader duties: 阅批, reception days, joint-meeting group issues. */
  leaderDuties: ['registrar', 'supervisor', 'admin'],
  /**
   * The payload codec endpoint (/codec/decode): personal data of any matter in clear, so also the whole service in
   * the user's jurisdiction (api/routes/codec.ts).
   */
  decodePayloads: ['supervisor', 'admin'],
  admin: ['admin'],
} as const satisfies Record<string, readonly (Role | ChannelRole)[]>;
export type Permission = keyof typeof permissions;

export function may(principal: { role: string }, what: Permission): boolean {
  return (permissions[what] as readonly string[]).includes(principal.role);
}

/** True when `code` is `ancestor` or lies below it. */
export function withinDivision(code: string, ancestor: string, parentOf: ParentOf): boolean {
  let c: string | null | undefined = code;
  for (let depth = 0; c && depth < 10; depth++) {
    if (c === ancestor) return true;
    c = parentOf(c);
  }
  return false;
}

/** May this principal see (and act on) a matter located in divisionCode and currently with unitId? */
export function inJurisdiction(
  principal: Principal,
  matter: { divisionCode: string; unitId?: string | null },
  parentOf: ParentOf,
): boolean {
  if (principal.role === 'admin') return true;
  if (unitRoles.includes(principal.role)) return !!principal.unitId && matter.unitId === principal.unitId;
  return !!principal.divisionCode && withinDivision(matter.divisionCode, principal.divisionCode, parentOf);
}

/** Masks personal data for lists and logs: keeps the first and last characters. */
export function maskId(value: string | null | undefined): string | null {
  if (!value) return null;
  if (value.length <= 7) return '*'.repeat(value.length);
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}
export function maskPhone(value: string | null | undefined): string | null {
  if (!value) return null;
  const digits = value.replace(/\s/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '****' + digits.slice(-4);
}
export function maskName(value: string): string {
  if (value.length <= 1) return value;
  return value[0] + '*'.repeat(value.length - 1);
}
