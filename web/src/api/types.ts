// Answers of the routes whose OpenAPI document has no response schema yet (their requests are typed by schema.d.ts).
// Keep in step with api/routes/petitions.ts and api/routes/overlays.ts; when those routes declare response schemas,
// these give way to the generated types.
import type { paths } from './schema';

export type TaskItem = paths['/api/tasks']['get']['responses'][200]['content']['application/json']['items'][number];
export type Reference = paths['/api/reference']['get']['responses'][200]['content']['application/json'];
export type DevUser = paths['/auth/dev-users']['get']['responses'][200]['content']['application/json']['items'][number];
export type IntakeBody = NonNullable<paths['/api/petitions']['post']['requestBody']>['content']['application/json'];

export interface MaskedPetitioner {
  name: string;
  main?: boolean;
  idType?: string;
  idNumber?: string | null;
  phone?: string | null;
  address?: string;
  addressCode?: string;
}

export interface MatterListItem {
  caseNo: string;
  status: string;
  channel: string;
  source: string;
  divisionCode: string;
  unitId: string | null;
  category: string;
  summary: string;
  petitioners: MaskedPetitioner[];
  personsCount: number;
  receivedAt: string;
  registeredAt: string;
  currentDeadline: { key: string; dueAt: string | null } | null;
  overdue: boolean;
  open: boolean;
}

export interface Paged<T> {
  page: number;
  pageSize: number;
  total: number;
  items: T[];
}

export interface DeadlineRow {
  id: string;
  key: string;
  startDate: string;
  dueDate: string;
  dueAt: string;
  status: string;
  policy: { label: string; days: number; counting: 'natural' | 'working'; rollForward: boolean; basis: string; ruleSet: string };
  description: string;
}

export interface TimelineEvent {
  seq: number;
  type: string;
  actor: string | null;
  at: string;
  data: Record<string, unknown>;
}

export interface MatterDetail extends Omit<MatterListItem, 'summary' | 'currentDeadline'> {
  summary: string;
  queryCode: string;
  workflowId: string;
  purpose: string;
  currentDeadlineKey: string | null;
  currentDueAt: string | null;
  personalData: 'full' | 'masked';
  deadlines: DeadlineRow[];
  timeline: TimelineEvent[];
  notices: { id: string; kind: string; title: string; issuedAt: string; legalBasis: string | null }[];
  submissions: { id: string; channel: string; initial: boolean; summary: string; receivedAt: string }[];
  tasks: { kind: string; detail: string; dueAt: string | null; overdue: boolean }[];
  [k: string]: unknown;
}

/** The live state a command's Update answers with (workflows/types.ts PetitionState, the parts shown). */
export interface CommandAnswer {
  status: string;
  unitId?: string | null;
  [k: string]: unknown;
}

export interface Notice {
  id: string;
  caseNo: string;
  kind: string;
  title: string;
  body: string;
  issuedAt: string;
  legalBasis: string | null;
}

export interface Escalation {
  id: string;
  kind: string;
  caseNo: string;
  status: string;
  divisionCode: string;
  unitId: string | null;
  dueAt: string | null;
  overdue: boolean;
  trigger: string;
  openedAt: string;
  closedAt: string | null;
  state: Record<string, unknown>;
  [k: string]: unknown;
}

export interface CalendarOverride {
  date: string;
  kind: 'workday' | 'holiday';
  name?: string | null;
  source: string;
  createdBy: string;
  createdAt: string;
}
