/**
 * warningSlipWorkflow — 信访预警单 (丽委办发〔2018〕51号 二（二）4).
 * Issued to the leaders of the locality or unit; each later county-level-or-higher visit starts a 3-working-day limit
 * for the warned unit's written explanation (first to the head of the superior petition leading group, then to the
 * superior party and government main leaders). Closes when the matter is resolved.
 */
import { setHandler } from '@temporalio/workflow';
import { explanationAddressee } from '../domain/triggers';
import { shanghaiDateOf } from '../domain/dates';
import type { EscalationState, Explanation, WarningSlipInput } from '../domain/escalation';
import { escalation, refused } from './kit';

function illegal(code: string, en: string, zh: string): never {
  return refused({ type: 'IllegalState', code, en, zh });
}
import { explainUpdate, laterVisitSignal, resolveSlipSignal } from './messages';

export async function warningSlipWorkflow(input: WarningSlipInput): Promise<EscalationState> {
  const explanations: Explanation[] = [];
  const kit = escalation('warning_slip', input, { reason: input.reason, issuedBy: input.issuedBy, explanations });
  const seen = new Set<string>();

  setHandler(laterVisitSignal, async (v) => {
    if (seen.has(v.visitId) || kit.state.status !== 'open') return;
    seen.add(v.visitId);
    const no = explanations.length + 1;
    const deadlineId = `explanation-${no}`;
    const e: Explanation = { no, visitId: v.visitId, visitAt: v.at, addressee: explanationAddressee(no), deadlineId };
    explanations.push(e);
    kit.emit('slip.later_visit', { no, visitId: v.visitId, level: v.level, addressee: e.addressee });
    // 3 working days from the visit (its day excluded).
    await kit.startDeadline(deadlineId, { key: 'warningExplanation', startDate: shanghaiDateOf(v.at) });
    await kit.flush();
  });

  setHandler(
    explainUpdate,
    async ({ no, content, actor }) => {
      const e = explanations.find((x) => x.no === no)!;
      Object.assign(e, { content, submittedBy: actor.id, submittedAt: kit.nowIso() });
      kit.meet(e.deadlineId);
      kit.emit('slip.explained', { no, addressee: e.addressee }, actor.id);
      await kit.flush();
      return kit.state;
    },
    {
      validator: ({ no, actor }) => {
        if (kit.state.status !== 'open') illegal('slip_closed', 'the warning slip is closed', '预警单已关闭');
        const e = explanations.find((x) => x.no === no);
        if (!e) illegal('no_explanation_due', `no explanation ${no} is due: explanations are due after later visits (${explanations.length} so far)`, `第${no}次书面说明尚未到期：再次上访后才需说明（目前${explanations.length}次）`);
        if (e.content) illegal('explained', `explanation ${no} was submitted already`, `第${no}次书面说明已提交`);
        // The warned unit explains; a slip issued while the matter had no unit went to the locality's leaders.
        const warned = kit.state.unitId ? actor.unitId === kit.state.unitId : actor.role === 'supervisor';
        if (actor.role !== 'admin' && !warned) illegal('not_warned_unit', 'only the warned unit (or, without a unit, the locality\'s leaders) explains', '只有被预警单位（尚无承办单位的，属地领导）才能提交书面说明');
      },
    },
  );

  setHandler(resolveSlipSignal, async ({ reason }) => {
    if (kit.state.status !== 'open') return;
    kit.close('closed', reason);
    await kit.flush();
  });

  await kit.fileNotice('warning_slip', [
    ['预警对象', `${input.divisionCode} 属地或相关单位${input.unitId ? `（${input.unitId}）` : ''}领导`],
    ['预警事由', input.reason === 'two_visits' ? '信访人初次信访后到县级及以上信访部门上访2次（含）以上' : input.reason],
    ['要求', '预警单发出后，信访人再次到县级及以上上访的，被预警单位须在其上访后3个工作日内书面说明情况'],
  ], input.issuedBy);
  kit.emit('slip.issued', { reason: input.reason }, input.issuedBy);
  return kit.run();
}
