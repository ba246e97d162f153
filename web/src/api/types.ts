// Names for the API's answers the console passes around. Every one is taken from the generated client
// (schema.d.ts, `npm run gen:client`), so that a change of a route's response schema breaks the console's build.
import type { components, paths } from './schema';

/** The JSON answer of an operation (for a status, 200 by default). */
type Json<Op, Status extends number = 200> = Op extends { responses: { [S in Status]: { content: { 'application/json': infer B } } } } ? B : never;

export type ApiErrorBody = components['schemas']['Error'];

export type TaskItem = Json<paths['/api/tasks']['get']>['items'][number];
export type Reference = Json<paths['/api/reference']['get']>;
export type DevUser = Json<paths['/auth/dev-users']['get']>['items'][number];
export type IntakeBody = NonNullable<paths['/api/petitions']['post']['requestBody']>['content']['application/json'];
export type IntakeResult = Json<paths['/api/petitions']['post'], 201>;

export type MatterList = Json<paths['/api/petitions']['get']>;
export type MatterListItem = MatterList['items'][number];
export type MatterDetail = Json<paths['/api/petitions/{caseNo}']['get']>;
/** A petitioner of the record: in full, or masked as lists show them. */
export type RecordPetitioner = MatterDetail['petitioners'][number];
export type DeadlineRow = MatterDetail['deadlines'][number];
export type TimelineEvent = MatterDetail['timeline'][number];

/** The live state a command's Update answers with. */
export type CommandAnswer = Json<paths['/api/petitions/{caseNo}/accept']['post']>;
export type Notice = Json<paths['/api/notices/{id}']['get']>;

export type EscalationList = Json<paths['/api/warning-slips']['get']>;
export type Escalation = EscalationList['items'][number];
export type EscalationLive = Json<paths['/api/warning-slips/{id}']['get']>;

export type CalendarStatus = Json<paths['/api/admin/calendar/status']['get']>;
export type CalendarOverride = Json<paths['/api/admin/calendar-overrides']['get']>['items'][number];

/** A page of a list answer. */
export interface Paged<T> {
  page: number;
  pageSize: number;
  total: number;
  items: T[];
}
/** A petitioner as a list or the masked record shows them. */
export type MaskedPetitioner = RecordPetitioner;

export type AdminUser = Json<paths['/api/admin/users']['get']>['items'][number];
export type RolesAnswer = Json<paths['/api/admin/roles']['get']>;
export type AuditEntry = Json<paths['/api/admin/audit']['get']>['items'][number];
