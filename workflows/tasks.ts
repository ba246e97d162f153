import type { DeadlineEntry, PetitionState, Task } from './types';
import type { LimitKey } from '../domain/rules';
import { isOverdue } from '../domain/deadline';

/**
 * The work list of a matter: what someone must do next, derived from its state (serves GET /api/tasks).
 * Pure; the workflow projects the result with each snapshot.
 */
export function tasksOf(s: PetitionState, nowIso: string): Task[] {
  const due = (key: LimitKey): DeadlineEntry | undefined =>
    [...s.deadlines].reverse().find((d) => d.key === key && (d.status === 'pending' || d.status === 'paused' || (d.status === 'missed' && !d.closedAt)));
  const task = (kind: string, assigneeRole: string, unitId: string | null, key: LimitKey | null, detail: string): Task => {
    const d = key ? due(key) : undefined;
    return { kind, assigneeRole, unitId, dueAt: d?.dueAt ?? null, overdue: !!d && d.status !== 'paused' && isOverdue(d, nowIso), detail };
  };
  const out: Task[] = [];
  switch (s.status) {
    case 'TRIAGE':
      out.push(task('triage', 'registrar', null, 'triage', '转送、交办、告知法定途径或不予受理'));
      break;
    case 'AWAITING_ACCEPTANCE':
      out.push(task('accept', 'unit_handler', s.unitId, 'acceptance', '书面告知是否受理'));
      break;
    case 'IN_HANDLING':
    case 'EXTENDED': {
      const limit: LimitKey = s.status === 'EXTENDED' ? 'extension' : 'handling';
      if (!s.meetings['1']) out.push(task('meet1', 'unit_handler', s.unitId, limit, '三见面①：承办单位与信访人见面'));
      out.push(task('reply', 'unit_handler', s.unitId, limit, '出具处理意见书并送达'));
      break;
    }
    case 'REPLIED':
      if (!s.meetings['2']) out.push(task('meet2', 'unit_handler', s.unitId, null, '三见面②：当面反馈处理结果'));
      if (!s.evaluation) out.push(task('evaluate', 'registrar', null, 'evaluation', '信访人评价'));
      else if ('expired' in s.evaluation && !s.returnVisits.some((v) => v.date >= s.evaluation!.on))
        out.push(task('returnVisit', 'registrar', null, null, '超期未评价：回访'));
      break;
    case 'UNSATISFIED':
      if (!s.meetings['3']) out.push(task('meet3', 'unit_head', s.unitId, null, '三见面③：单位领导约见不满意的信访人'));
      if (!s.returnVisits.some((v) => s.evaluation && 'evaluatedOn' in s.evaluation && v.date >= s.evaluation.evaluatedOn))
        out.push(task('returnVisit', 'registrar', null, null, '不满意：回访'));
      break;
    case 'REVIEW':
      out.push(task('decideReview', 'supervisor', null, 'reviewDecision', '作出复查意见'));
      break;
    case 'RE_REVIEW':
      out.push(task('decideReReview', 'supervisor', null, 'reReviewDecision', '作出复核意见'));
      break;
    default:
      break;
  }
  return out;
}
