/**
 * The custom search attributes of the service's workflows (no personal data: status, place, unit, limits and
 * flags only). Registered on the embedded dev server at start (lib/dev-server.ts), by the setup job of
 * docker-compose.yml, and upserted by the workflows (workflows/search-attributes.ts).
 */
export const searchAttributes = [
  { name: 'PetitionStatus', type: 'Keyword', meaning: 'a matter’s status, OPEN/CLOSED of a backlog case, OPEN/COMPLETED/CLOSED of an escalation' },
  { name: 'DivisionCode', type: 'Keyword', meaning: 'problem location (division code)' },
  { name: 'UnitId', type: 'Keyword', meaning: 'the responsible unit holding it' },
  { name: 'Overdue', type: 'Bool', meaning: 'a limit was missed and is not yet made good' },
  { name: 'NextDueAt', type: 'Datetime', meaning: 'the instant of the limit it now runs against' },
  { name: 'Backlog', type: 'Bool', meaning: 'a backlog case, or a matter that became new backlog' },
  { name: 'EscalationKinds', type: 'KeywordList', meaning: 'warning_slip, three_party_review, investigation' },
] as const;
export type SearchAttributeName = (typeof searchAttributes)[number]['name'];

/** `--search-attribute Name=Type` arguments of `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return searchAttributes.flatMap((a) => ['--search-attribute', `${a.name}=${a.type}`]);
}

/** Visibility queries take these and the system attributes (WorkflowType, ExecutionStatus, StartTime, …) only. */
export const queryableAttributes = new Set<string>([
  ...searchAttributes.map((a) => a.name),
  'WorkflowType',
  'WorkflowId',
  'ExecutionStatus',
  'StartTime',
  'CloseTime',
]);
