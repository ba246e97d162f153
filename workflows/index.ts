// The barrel handed to the worker as workflowsPath: every workflow type the task queue runs.
export { petitionWorkflow } from './petition';
