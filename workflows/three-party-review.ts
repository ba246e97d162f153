/**
 * threePartyReviewWorkflow — 三方会审 (丽委办发〔2018〕51号 二（三）2).
 * Started by an abnormal visit in Beijing, a collective visit to Beijing, or a collective visit of 50+ persons to the
 * province; within 15 working days of that visit the county main leader, the responsible unit and a judicial expert
 * meet the petitioners face to face; the session is recorded on audio/video and archived with the city joint-meeting
 * office. Completes when all of that is on file; a missed limit escalates.
 */
import { defineUpdate, setHandler } from '@temporalio/workflow';
import { shanghaiDateOf } from '../domain/dates';
import { overlay, illegal, type OverlayStart, type OverlayState } from './overlay';
import type { Actor } from './messages';

export interface ThreePartyReviewInput extends OverlayStart {
  visit: { id: string; at: string; level: string; persons: number };
}

export interface Participants {
  countyLeader: string;
  unitRepresentative: string;
  judicialExpert: string;
  others?: string[];
}
export interface Session {
  date: string;
  place: string;
  petitionersPresent: string[];
  notes: string;
}
export interface Recording {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  storedAs: string;
}
export interface ArchiveReceipt {
  receiptNo: string;
  receivedOn: string;
  office: string;
}

type Step = { participants: Participants } | { session: Session } | { recording: Recording } | { archive: ArchiveReceipt };
export const threePartyStepUpdate = defineUpdate<OverlayState, [Step & { actor: Actor }]>('threePartyStep');

export async function threePartyReviewWorkflow(input: ThreePartyReviewInput): Promise<OverlayState> {
  const record: { participants?: Participants; session?: Session; recording?: Recording; archive?: ArchiveReceipt } = {};
  const kit = overlay('three_party_review', input, { visit: input.visit, record });

  setHandler(
    threePartyStepUpdate,
    async (step) => {
      const { actor, ...rest } = step;
      const [name] = Object.keys(rest) as (keyof typeof record)[];
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
        if (kit.state.status !== 'open') illegal('the three-party review is complete');
        if ('session' in step) {
          if (!record.participants) illegal('name the participants (county main leader, responsible unit, judicial expert) before the session');
          if (step.session.date < shanghaiDateOf(input.visit.at)) illegal('the session cannot precede the triggering visit');
          if (step.session.date > kit.today()) illegal('the session date is in the future');
        }
        if ('recording' in step && !record.session) illegal('record the session before its recording');
        if ('archive' in step && !(record.session && record.recording)) illegal('archive after the session and its recording are on file');
      },
    },
  );

  kit.emit('review3.started', { trigger: input.trigger, visitId: input.visit.id });
  await kit.startDeadline('review3', { key: 'threePartyReview', startDate: shanghaiDateOf(input.visit.at) });
  return kit.run();
}
