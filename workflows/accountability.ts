/**
 * accountabilityInvestigationWorkflow — 一事双查 (丽委办发〔2018〕51号 二（三）3; 《信访工作责任制实施细则》).
 * For new backlog (a matter past a statutory limit, unresolved, petitioned again) and skip-level visits: closes only
 * with both findings — how the matter was handled and who is accountable — and a recommendation, within a
 * configurable limit (default 30 days).
 */
import { setHandler } from '@temporalio/workflow';
import { recommendations } from '../domain/triggers';
import type { EscalationState, Findings, InvestigationInput } from '../domain/escalation';
import { escalation, refused } from './kit';

function illegal(code: string, en: string, zh: string): never {
  return refused({ type: 'IllegalState', code, en, zh });
}
import { concludeUpdate } from './messages';

export async function accountabilityInvestigationWorkflow(input: InvestigationInput): Promise<EscalationState> {
  const details: { triggerRef: string; findings?: Findings & { by: string; on: string } } = { triggerRef: input.triggerRef };
  const kit = escalation('investigation', input, details);

  setHandler(
    concludeUpdate,
    async ({ actor, ...findings }) => {
      details.findings = { ...findings, by: actor.id, on: kit.today() };
      kit.emit('investigation.concluded', { recommendation: findings.recommendation }, actor.id);
      kit.close('completed', 'both findings and a recommendation on file');
      await kit.flush();
      return kit.state;
    },
    {
      validator: ({ handlingFinding, accountabilityFinding, recommendation }) => {
        if (kit.state.status !== 'open') illegal('investigation_closed', 'the investigation is closed', '一事双查已结束');
        if (!handlingFinding?.trim() || !accountabilityFinding?.trim())
          illegal('both_findings', '一事双查 needs both findings: how the matter was handled and who is accountable', '一事双查须同时查明办理情况和责任');
        if (!recommendations.includes(recommendation)) illegal('recommendation', `recommendation must be one of ${recommendations.join(', ')}`, `处理建议须为：${recommendations.join('、')}`);
      },
    },
  );

  kit.emit('investigation.started', { trigger: input.trigger, triggerRef: input.triggerRef });
  await kit.startDeadline('investigation', { key: 'investigation', startDate: input.triggeredOn, investigationDays: input.investigationDays });
  return kit.run();
}
