import type { DeadlineEntry, PetitionState, Task } from './matter';
import type { LimitKey } from './rules';
import type { Status } from './petition';
import { isOverdue } from './deadline';

/** An obligation a status puts on someone: who, against which limit, and when it applies. */
export interface TaskRule {
  kind: string;
  assigneeRole: string;
  /** The task is the unit's that holds the matter (else the bureau's). */
  unit?: boolean;
  /** The limit it runs against (its due instant and overdue flag), if any. */
  limit: LimitKey | null;
  detail: string;
  /** Applies only while this holds (absent: always in its status). */
  when?: (s: PetitionState) => boolean;
}

const evaluatedOn = (s: PetitionState) => (s.evaluation && 'evaluatedOn' in s.evaluation ? s.evaluation.evaluatedOn : undefined);
const handlingTasks = (limit: LimitKey): TaskRule[] => [
  { kind: 'meet1', assigneeRole: 'unit_handler', unit: true, limit, detail: '三见面①：承办单位与信访人见面', when: (s) => !s.meetings['1'] },
  { kind: 'reply', assigneeRole: 'unit_handler', unit: true, limit, detail: '出具处理意见书并送达' },
];

/** The work list of each status (domain.md §5; docs/STATE_MACHINE.md shows this table). */
export const taskTable: Partial<Record<Status, TaskRule[]>> = {
  TRIAGE: [{ kind: 'triage', assigneeRole: 'registrar', limit: 'triage', detail: '转送、交办、告知法定途径或不予受理' }],
  AWAITING_ACCEPTANCE: [{ kind: 'accept', assigneeRole: 'unit_handler', unit: true, limit: 'acceptance', detail: '书面告知是否受理' }],
  IN_HANDLING: handlingTasks('handling'),
  EXTENDED: handlingTasks('extension'),
  REPLIED: [
    { kind: 'meet2', assigneeRole: 'unit_handler', unit: true, limit: null, detail: '三见面②：当面反馈处理结果', when: (s) => !s.meetings['2'] },
    { kind: 'evaluate', assigneeRole: 'registrar', limit: 'evaluation', detail: '信访人评价', when: (s) => !s.evaluation },
    {
      kind: 'returnVisit',
      assigneeRole: 'registrar',
      limit: null,
      detail: '超期未评价：回访',
      when: (s) => !!s.evaluation && 'expired' in s.evaluation && !s.returnVisits.some((v) => v.date >= s.evaluation!.on),
    },
  ],
  UNSATISFIED: [
    { kind: 'meet3', assigneeRole: 'unit_head', unit: true, limit: null, detail: '三见面③：单位领导约见不满意的信访人', when: (s) => !s.meetings['3'] },
    { kind: 'returnVisit', assigneeRole: 'registrar', limit: null, detail: '不满意：回访', when: (s) => !s.returnVisits.some((v) => evaluatedOn(s) !== undefined && v.date >= evaluatedOn(s)!) },
  ],
  REVIEW: [{ kind: 'decideReview', assigneeRole: 'supervisor', limit: 'reviewDecision', detail: '作出复查意见' }],
  RE_REVIEW: [{ kind: 'decideReReview', assigneeRole: 'supervisor', limit: 'reReviewDecision', detail: '作出复核意见' }],
};

/**
 * The work list of a matter: what someone must do next, derived from its state by the table above (serves
 * GET /api/tasks). Pure; the workflow projects the result with each snapshot.
 */
export function tasksOf(s: PetitionState, nowIso: string): Task[] {
  const due = (key: LimitKey): DeadlineEntry | undefined =>
    [...s.deadlines].reverse().find((d) => d.key === key && (d.status === 'pending' || d.status === 'paused' || (d.status === 'missed' && !d.closedAt)));
  return (taskTable[s.status] ?? [])
    .filter((rule) => rule.when?.(s) ?? true)
    .map((rule) => {
      const d = rule.limit ? due(rule.limit) : undefined;
      return {
        kind: rule.kind,
        assigneeRole: rule.assigneeRole,
        unitId: rule.unit ? s.unitId : null,
        dueAt: d?.dueAt ?? null,
        overdue: !!d && d.status !== 'paused' && isOverdue(d, nowIso),
        detail: rule.detail,
      };
    });
}
