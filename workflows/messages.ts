import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type * as C from '../domain/commands';
import type { Channel, PetitionState, SubmissionSignal } from './types';
import type { Visit } from '../domain/triggers';

export type { PetitionState, SubmissionSignal };

/** The acting user, as the API authenticated them. */
export interface Actor {
  id: string;
  role: string;
  unitId?: string | null;
}
type Cmd<T> = T & { actor: Actor };

// Signals: things that happen to the matter without a caseworker's decision.
/** Another letter/visit/call/message on this matter (件次). */
export const submissionSignal = defineSignal<[SubmissionSignal]>('submission');

/** A petitioner's visit to a petition body; the campaign's triggers read the visits (domain/triggers.ts). */
export const visitSignal = defineSignal<[Visit & { recordedBy: string }]>('visit');

// Updates: caseworkers' commands, answered synchronously, refused when the state does not allow them.
export const forwardUpdate = defineUpdate<PetitionState, [Cmd<C.Forward>]>('forward');
export const routeUpdate = defineUpdate<PetitionState, [Cmd<C.Route>]>('routeToChannel');
export const notAcceptUpdate = defineUpdate<PetitionState, [Cmd<C.NotAccept>]>('notAccept');
export const linkUpdate = defineUpdate<PetitionState, [Cmd<C.Link>]>('linkToMatter');
export const acceptUpdate = defineUpdate<PetitionState, [Cmd<C.Accept>]>('accept');
export const objectUpdate = defineUpdate<PetitionState, [Cmd<C.ObjectTo>]>('object');
export const extendUpdate = defineUpdate<PetitionState, [Cmd<C.Extend>]>('extend');
export const meetingUpdate = defineUpdate<PetitionState, [Cmd<C.Meeting>]>('meeting');
export const replyUpdate = defineUpdate<PetitionState, [Cmd<C.Reply>]>('reply');
export const evaluationUpdate = defineUpdate<PetitionState, [Cmd<C.Evaluation>]>('evaluate');
export const returnVisitUpdate = defineUpdate<PetitionState, [Cmd<C.ReturnVisit>]>('returnVisit');
export const sendBackUpdate = defineUpdate<PetitionState, [Cmd<C.SendBack>]>('sendBack');
export const reviewRequestUpdate = defineUpdate<PetitionState, [Cmd<C.ReviewRequest & { level: 'review' | 'reReview' }>]>(
  'requestReview',
);
export const reviewDecisionUpdate = defineUpdate<PetitionState, [Cmd<C.ReviewDecision & { level: 'review' | 'reReview' }>]>(
  'decideReview',
);
export const hearingUpdate = defineUpdate<PetitionState, [Cmd<C.Hearing>]>('hearing');

/** A bureau user issues a warning slip for another abnormal risk, with the reason. */
export const warnUpdate = defineUpdate<PetitionState, [{ reason: string; actor: Actor }]>('warn');

// Queries: live state of one matter.
export const stateQuery = defineQuery<PetitionState>('state');

export type { Channel };
