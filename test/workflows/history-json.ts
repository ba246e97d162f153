/**
 * Event histories as proto-JSON (the format `temporal workflow show --output json` writes and
 * Worker.runReplayHistories accepts), for scripts/record-histories.ts and replay.test.ts.
 *
 * The SDK's own historyToJSON / historyFromJSON (@temporalio/common/lib/proto-utils) are tried first. In this
 * install they throw "type must be a Type": they run protobufjs's protojson from @temporalio/common's copy of
 * protobufjs against message types built by @temporalio/proto's copy, and npm keeps separate copies because
 * @grpc/proto-loader pins protobufjs 7 at the top level. The fallback uses the protojson of the very copy of
 * protobufjs that @temporalio/proto loads, so both agree; the output is the same proto-JSON either way.
 */
import { createRequire } from 'node:module';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
interface HistoryCodec {
  protojson: ProtoJson;
  historyType: unknown;
  fromObject(history: History): unknown;
}

let codec: HistoryCodec | undefined;
function fallbackCodec(): HistoryCodec {
  if (!codec) {
    const fromHere = createRequire(import.meta.url);
    // Resolve everything through @temporalio/common (a direct dependency) and then @temporalio/proto's own folder.
    const fromCommon = createRequire(fromHere.resolve('@temporalio/common'));
    const fromProto = createRequire(fromCommon.resolve('@temporalio/proto'));
    const proto = fromCommon('@temporalio/proto');
    const { patchProtobufRoot } = fromCommon('@temporalio/proto/lib/patch-protobuf-root');
    const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
    const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');
    codec = { protojson, historyType, fromObject: (h) => proto.temporal.api.history.v1.History.fromObject(h) };
  }
  return codec;
}

const isDuplicateProtobufjs = (err: unknown) => err instanceof TypeError && /must be a Type/.test(err.message);

/** A fetched history as proto-JSON text (one line: the projected snapshots make indented files needlessly big). */
export function historyToJson(history: History): string {
  try {
    return JSON.stringify(JSON.parse(historyToJSON(history)));
  } catch (err) {
    if (!isDuplicateProtobufjs(err)) throw err;
    const c = fallbackCodec();
    return JSON.stringify(c.protojson.toJson(c.historyType, c.fromObject(history)));
  }
}

/** A proto-JSON history (parsed) as the History object Worker.runReplayHistories takes. */
export function historyFromJson(json: unknown): History {
  try {
    return historyFromJSON(json);
  } catch (err) {
    if (!isDuplicateProtobufjs(err)) throw err;
    const c = fallbackCodec();
    const history = c.protojson.fromJson(c.historyType, json, { ignoreUnknownFields: true });
    if (!history) throw new TypeError('not a proto-JSON history');
    return history as History;
  }
}

/**
 * The workflow id a history belongs to. Histories do not carry it, but a petition workflow's input does
 * (petition-<caseNo>); replaying with the right id matters where the workflow derives child workflow ids from it.
 */
export function petitionWorkflowIdOf(json: { events?: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: { data?: string }[] } } }[] }): string {
  const data = json.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  if (!data) throw new TypeError('the history does not start with a WorkflowExecutionStarted event with an input');
  const input = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { caseNo?: string };
  if (!input.caseNo) throw new TypeError('the workflow input has no caseNo');
  return `petition-${input.caseNo}`;
}
