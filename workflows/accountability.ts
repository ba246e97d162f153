/**
 * accountabilityInvestigationWorkflow — 一事双查 (丽委办发〔2018〕51号 二（三）3; 《信访工作责任制实施细则》).
 * For new backlog (a matter past a statutory limit, unresolved, petitioned again) and skip-level visits: closes only
 * with both findings — how the matter was handled and who is accountable — and a recommendation, within a
 * configurable limit (default 30 days).
 */
import { defineUpdate, setHandler } from '@temporalio/workflow';
import { recommendations } from '../domain/triggers';
import { overlay, illegal, type OverlayStart, type OverlayState } from './overlay';
import type { Actor } from './messages';

export interface InvestigationInput extends OverlayStart {
  /** What started it: the repeat submission's or the skip-level visit's id. */
  triggerRef: string;
  /** Asia/Shanghai date of the triggering event. */
  triggeredOn: string;
  investigationDays: number;
}

export interface Findings {
  handlingFinding: string;
  accountabilityFinding: string;
  recommendation: (typeof recommendations)[number];
}

export const concludeUpdate = defineUpdate<OverlayState, [Findings & { actor: Actor }]>('conclude');

export async function accountabilityInvestigationWorkflow(input: InvestigationInput): Promise<OverlayState> {
  const details: { triggerRef: string; findings?: Findings & { by: string; on: string } } = { triggerRef: input.triggerRef };
  const kit = overlay('investigation', input, details);

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
        if (kit.state.status !== 'open') illegal('the investigation is closed');
        if (!handlingFinding?.trim() || !accountabilityFinding?.trim()) illegal('一事双查 needs both findings: how the matter was handled and who is accountable');
        if (!recommendations.includes(recommendation)) illegal(`recommendation must be one of ${recommendations.join(', ')}`);
      },
    },
  );

  kit.emit('investigation.started', { trigger: input.trigger, triggerRef: input.triggerRef });
  await kit.startDeadline('investigation', { key: 'investigation', startDate: input.triggeredOn, investigationDays: input.investigationDays });
  return kit.run();
}
