/**
 * Every message of every workflow: signals, updates and queries, typed end to end. The API and the tests import
 * these definitions (never a name string). The quoted wire names are those of the released workflows: running
 * matters and stored histories carry them, so they stay even where the TypeScript name says it better.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type * as C from '../domain/commands';
import type { Actor, PetitionView, SubmissionSignal } from '../domain/matter';
import type { EscalationState, EscalationSummary, ExplanationCommand, Findings, ThreePartyReviewStep } from '../domain/escalation';
import type { Visit } from '../domain/triggers';

export type { Actor };
type Cmd<T> = T & { actor: Actor };

// --- The matter (petitionWorkflow) --------------------------------------------------------------------------------

// Signals: things that happen to the matter without a caseworker's decision.
/** Another letter/visit/call/message on this matter (件次). */
export const submissionSignal = defineSignal<[SubmissionSignal]>('submission');

/** A petitioner's visit to a petition body; the campaign's triggers read the visits (domain/triggers.ts). */
export const visitSignal = defineSignal<[Visit & { recordedBy: string }]>('visit');

/** An admin declared a year's calendar complete: limits waiting for it can start now. */
export const calendarKnownSignal = defineSignal<[{ year: number }]>('calendarKnown');

/** An escalation tells its matter that its state changed. */
export const escalationChangedSignal = defineSignal<[EscalationSummary]>('overlayChanged');

// Updates: caseworkers' commands (domain/machine.ts), answered synchronously, refused when the state does not allow them.
export const forwardUpdate = defineUpdate<PetitionView, [Cmd<C.Forward>]>('forward');
export const routeUpdate = defineUpdate<PetitionView, [Cmd<C.Route>]>('routeToChannel');
export const notAcceptUpdate = defineUpdate<PetitionView, [Cmd<C.NotAccept>]>('notAccept');
export const linkUpdate = defineUpdate<PetitionView, [Cmd<C.Link>]>('linkToMatter');
export const acceptUpdate = defineUpdate<PetitionView, [Cmd<C.Accept>]>('accept');
export const objectUpdate = defineUpdate<PetitionView, [Cmd<C.ObjectTo>]>('object');
export const extendUpdate = defineUpdate<PetitionView, [Cmd<C.Extend>]>('extend');
export const meetingUpdate = defineUpdate<PetitionView, [Cmd<C.Meeting>]>('meeting');
export const replyUpdate = defineUpdate<PetitionView, [Cmd<C.Reply>]>('reply');
export const evaluationUpdate = defineUpdate<PetitionView, [Cmd<C.Evaluation>]>('evaluate');
export const returnVisitUpdate = defineUpdate<PetitionView, [Cmd<C.ReturnVisit>]>('returnVisit');
export const sendBackUpdate = defineUpdate<PetitionView, [Cmd<C.SendBack>]>('sendBack');
export const reviewRequestUpdate = defineUpdate<PetitionView, [Cmd<C.ReviewRequest & { level: 'review' | 'reReview' }>]>('requestReview');
export const reviewDecisionUpdate = defineUpdate<PetitionView, [Cmd<C.ReviewDecision & { level: 'review' | 'reReview' }>]>('decideReview');
export const hearingUpdate = defineUpdate<PetitionView, [Cmd<C.Hearing>]>('hearing');
/** A bureau user issues a warning slip for another abnormal risk, with the reason. */
export const warnUpdate = defineUpdate<PetitionView, [Cmd<{ reason: string }>]>('warn');

/** Live state of one matter. */
export const stateQuery = defineQuery<PetitionView>('state');

// --- The escalations ---------------------------------------------------------------------------------------------

/** Live state of an escalation. */
export const escalationQuery = defineQuery<EscalationState>('overlay');

/** Warning slip: a later county-level-or-higher visit, which asks the warned unit for a written explanation. */
export const laterVisitSignal = defineSignal<[{ visitId: string; at: string; level: string }]>('laterVisit');
/** Warning slip: the matter is resolved, the slip closes with it. */
export const resolveSlipSignal = defineSignal<[{ reason: string }]>('resolve');
/** Warning slip: the warned unit's written explanation. */
export const explainUpdate = defineUpdate<EscalationState, [Cmd<ExplanationCommand>]>('explain');
/** Three-party review: one of its steps (participants, session, recording, archive). */
export const threePartyReviewStepUpdate = defineUpdate<EscalationState, [ThreePartyReviewStep & { actor: Actor }]>('threePartyStep');
/** Investigation: both findings and a recommendation. */
export const concludeUpdate = defineUpdate<EscalationState, [Cmd<Findings>]>('conclude');
