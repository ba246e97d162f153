/**
 * threePartyReviewWorkflow — 三方会审 (丽委办发〔2018〕51号 二（三）2).
 * Started by an abnormal visit in Beijing, a collective visit to Beijing, or a collective visit of 50+ persons to the
 * province; within 15 working days of that visit the county main leader, the responsible unit and a judicial expert
 * meet the petitioners face to face; the session is recorded on audio/video and archived with the city joint-meeting
 * office. Completes when all of that is on file; a missed limit escalates.
 */
import { setHandler } from '@temporalio/workflow';
import { shanghaiDateOf } from '../domain/dates';
import type { EscalationState, ThreePartyReviewInput, ThreePartyReviewRecord } from '../domain/escalation';
import { escalation, refused } from './kit';

function illegal(code: string, en: string, zh: string): never {
  return refused({ type: 'IllegalState', code, en, zh });
}
import { threePartyReviewStepUpdate } from './messages';

export async function threePartyReviewWorkflow(input: ThreePartyReviewInput): Promise<EscalationState> {
  const record: ThreePartyReviewRecord = {};
  const kit = escalation('three_party_review', input, { visit: input.visit, record });

  setHandler(
    threePartyReviewStepUpdate,
    async (step) => {
      const { actor, ...rest } = step;
      const [name] = Object.keys(rest) as (keyof ThreePartyReviewRecord)[];
      Object.assign(record, rest);
      kit.emit(`review3.${name}`, { ...(name === 'recording' ? { sha256: record.recording!.sha256, size: record.recording!.size } : {}) }, actor.id);
      if (record.participants && record.session && record.recording && record.archive) {
        kit.close('completed', 'session held, recorded and archived');
      }
      await kit.flush();
      return kit.state;
    },
    {
      validator: (step) => {
        if (kit.state.status !== 'open') illegal('review_complete', 'the three-party review is complete', '三方会审已完成');
        if ('session' in step) {
          if (!record.participants) illegal('participants_first', 'name the participants (county main leader, responsible unit, judicial expert) before the session', '会审前须确定参加人员（县级主要领导、责任单位、司法专家）');
          if (step.session.date < shanghaiDateOf(input.visit.at)) illegal('session_before_visit', 'the session cannot precede the triggering visit', '会审日期不能早于引发会审的上访');
          if (step.session.date > kit.today()) illegal('session_in_future', 'the session date is in the future', '会审日期晚于今天');
        }
        if ('recording' in step && !record.session) illegal('session_first', 'record the session before its recording', '先记录会审，再上传录音录像');
        if ('archive' in step && !(record.session && record.recording)) illegal('archive_last', 'archive after the session and its recording are on file', '会审记录和录音录像归档后方可立卷');
      },
    },
  );

  kit.emit('review3.started', { trigger: input.trigger, visitId: input.visit.id });
  await kit.startDeadline('review3', { key: 'threePartyReview', startDate: shanghaiDateOf(input.visit.at) });
  return kit.run();
}
