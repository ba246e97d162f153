// The barrel handed to the worker as workflowsPath: every workflow type the task queue runs.
export { petitionWorkflow } from './petition';
export { warningSlipWorkflow } from './warning-slip';
export { threePartyReviewWorkflow } from './three-party-review';
export { accountabilityInvestigationWorkflow } from './accountability';
export { backlogCaseWorkflow } from './backlog';
export { sweepWorkflow, listingWorkflow } from './sweeps';
export { reconcileWorkflow } from './reconcile';
