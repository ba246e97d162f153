/** Workflow ids derive from the case number, so starting a matter twice finds the running one. */
/** The prefix of a matter's workflow id (intake writes the id in SQL from it, services/intake.ts). */
export const WORKFLOW_ID_PREFIX = 'petition-';
export const workflowIdFor = (caseNo: string): string => `${WORKFLOW_ID_PREFIX}${caseNo}`;
