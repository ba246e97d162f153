/** Workflow ids derive from the case number, so starting a matter twice finds the running one. */
export const workflowIdFor = (caseNo: string): string => `petition-${caseNo}`;
