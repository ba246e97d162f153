import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of every client and worker: a failure's message and stack trace travel as an encoded
 * payload (`encodedAttributes`), so the payload codec encrypts them like any other payload — a refusal's reason or
 * an activity's error can carry text from a matter. Loaded by path (`failureConverterPath`), because the workflow
 * bundle needs it too: this module must stay free of Node built-ins.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
