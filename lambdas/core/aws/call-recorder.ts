import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { ENV } from '../config.js';

/**
 * Records the AWS calls handlers make, for the IAM simulation (test/integration/platform/iam.test.ts):
 * each call's service, command and the input fields that name its resource, with the function it came
 * from. Off unless CUTLINE_RECORD_AWS_CALLS names a file (one JSON line per call); never set in AWS.
 */
export interface RecordedCall {
  /** The handler entry the call ran under (e.g. `lambdas/api/renders.ts`), or `unattributed`. */
  caller: string;
  /** `states-integration`: a Task state the state machine ran (its role's calls); command is the Resource. */
  service:
    | 's3'
    | 'dynamodb'
    | 'states'
    | 'events'
    | 'states-integration'
    | 'transcribe'
    | 'polly'
    | 'bedrock'
    | 'rekognition';
  /** The SDK command, e.g. `GetObjectCommand`, `UpdateCommand` (lib-dynamodb) or `UpdateItemCommand`. */
  command: string;
  input: Record<string, unknown>;
}

const caller = new AsyncLocalStorage<string>();

/** Runs `fn` as the function `entry` (the local runtime calls every handler through this). */
export const runAs = <T>(entry: string, fn: () => T): T => caller.run(entry, fn);

// Only the fields that name what is touched: no bodies, no item values.
const NAMING = [
  'TableName',
  'IndexName',
  'Bucket',
  'Key',
  'Prefix',
  'CopySource',
  // Which bytes of an object a read or a part copy touches (the stitch's reference join reads headers only).
  'Range',
  'CopySourceRange',
  'stateMachineArn',
  'executionArn',
  // Task state parameters (the state machine's own calls).
  'FunctionName',
  'TaskDefinition',
  'Cluster',
  'Role',
  'Queue',
  // AI providers: the job a transcription names, the model Bedrock runs.
  'TranscriptionJobName',
  'modelId',
];

function naming(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of NAMING) if (typeof input[k] === 'string') out[k] = input[k];
  const del = input.Delete as { Objects?: Array<{ Key?: string }> } | undefined;
  if (del?.Objects) out.DeleteKeys = del.Objects.map((o) => o.Key);
  const entries = input.Entries as Array<{ EventBusName?: string }> | undefined;
  if (Array.isArray(entries)) out.EventBusNames = entries.map((e) => e.EventBusName ?? 'default');
  return out;
}

type Handler = (args: { input: object }) => Promise<unknown>;
interface Stack {
  add(
    mw: (next: Handler, context: { commandName?: string }) => Handler,
    opts: { step: 'initialize'; name: string; override: boolean },
  ): void;
}

/** Records one call (when recording is on); the SDK middleware below and the local ASL runner use it. */
export function recordCall(
  call: Omit<RecordedCall, 'caller' | 'input'> & { caller?: string; input: object },
): void {
  const file = process.env[ENV.RECORD_AWS_CALLS];
  if (!file) return;
  const line: RecordedCall = {
    caller: call.caller ?? caller.getStore() ?? process.env[ENV.CALLER] ?? 'unattributed',
    service: call.service,
    command: call.command,
    input: naming(call.input as Record<string, unknown>),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** Adds the recording middleware to an SDK client (a no-op per call unless recording is on). */
export function recordCalls<T extends { middlewareStack: unknown }>(
  client: T,
  service: RecordedCall['service'],
): T {
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      recordCall({ service, command: String(context.commandName), input: args.input });
      return next(args);
    },
    { step: 'initialize', name: 'cutlineRecordCalls', override: true },
  );
  return client;
}
