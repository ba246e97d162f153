/**
 * Which step of an escalation a user may record now, from its state: the one place the API answers it from
 * (GET /api/escalations/:id/commands) and the console offers forms for. The workflows still check each step (order,
 * status) and refuse with a reason; this only says what is worth offering.
 */
import { may, type Role } from './access';
import type { EscalationState, Explanation, ThreePartyReviewRecord } from './escalation';

export const escalationCommandNames = ['explain', 'participants', 'session', 'recording', 'archive', 'conclude'] as const;
export type EscalationCommandName = (typeof escalationCommandNames)[number];

export interface AvailableEscalationCommand {
  name: EscalationCommandName;
  /** What the form records, in Chinese. */
  zh: string;
  /** The explanation a warning slip asks for now (its number). */
  explanationNo?: number;
}

type Shape = Pick<EscalationState, 'kind' | 'status' | 'details'>;

export function availableEscalationCommands(s: Shape, actor: { role: Role | string }): AvailableEscalationCommand[] {
  if (s.status !== 'open') return [];
  switch (s.kind) {
    case 'warning_slip': {
      if (!may(actor, 'explain')) return [];
      const pending = ((s.details.explanations ?? []) as Explanation[]).filter((e) => !e.content);
      return pending.map((e) => ({ name: 'explain' as const, zh: `提交书面说明（第${e.no}次）`, explanationNo: e.no }));
    }
    case 'three_party_review': {
      if (!may(actor, 'threePartyReview')) return [];
      const r = (s.details.record ?? {}) as ThreePartyReviewRecord;
      // The steps in their order: the next one, and the recording again until the archive closes it.
      if (!r.participants) return [{ name: 'participants', zh: '确定参加人员' }];
      if (!r.session) return [{ name: 'session', zh: '记录会审' }];
      if (!r.recording) return [{ name: 'recording', zh: '上传录音录像' }];
      return [{ name: 'archive', zh: '立卷归档（回执）' }];
    }
    case 'investigation':
      return may(actor, 'investigate') ? [{ name: 'conclude', zh: '提交调查结论和处理建议' }] : [];
  }
}
