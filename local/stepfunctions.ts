import './polyfills.js';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { HANDLERS } from '../lambdas/core/config.js';
import { createMediaConvertJobSync } from './mediaconvert.js';

export type TaskFn = (input: unknown) => Promise<unknown>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';
export const STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:cutline-render`;
const fnArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:cutline-${name}`;

/** The very file CDK deploys, with the placeholders CDK would fill. */
export function loadDefinition(file = `${ROOT}statemachines/render.asl.json`): Record<string, unknown> {
  const subs: Record<string, string> = {
    ValidateFunctionArn: fnArn('validate'),
    PrepareItemFunctionArn: fnArn('prepare-item'),
    ProbeFunctionArn: fnArn('probe'),
    PlanFunctionArn: fnArn('plan'),
    RenderChunkFunctionArn: fnArn('render-chunk'),
    RenderAudioFunctionArn: fnArn('render-audio'),
    StitchFunctionArn: fnArn('stitch'),
    PackageMediaConvertFunctionArn: fnArn('package-mediaconvert'),
    FinalizeFunctionArn: fnArn('finalize'),
    MarkFailedFunctionArn: fnArn('mark-failed'),
    ClusterArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/cutline`,
    TaskDefinitionArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/cutline-render:1`,
    ContainerName: 'render',
    AssignPublicIp: 'DISABLED',
    EventBusName: 'cutline',
  };
  const text = readFileSync(file, 'utf8').replace(/\$\{(\w+)\}/g, (m, k: string) => {
    if (!(k in subs)) throw new Error(`${file}: no local value for placeholder ${m}`);
    return subs[k]!;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

/** Lambda's error shape: the name is the error, the message a JSON cause, as Step Functions sees it in AWS. */
function asLambdaError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const wrapped = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  wrapped.name = e.name;
  return wrapped;
}

/** `lambda:invoke` tasks call the handler module in-process and answer like the integration: {Payload}. */
function lambdaTask(entry: string): TaskFn {
  return async (input) => {
    const mod = (await import(`${ROOT}${entry}`)) as { handler: (e: unknown) => Promise<unknown> };
    const { Payload } = input as { Payload: unknown };
    try {
      return { Payload: await mod.handler(Payload) };
    } catch (err) {
      throw asLambdaError(err);
    }
  };
}

export interface Execution {
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  abort: () => void;
  done: Promise<void>;
}

export interface LocalStepFunctionsOptions {
  putEvents: (entries: unknown[]) => Promise<void>;
  /** Environment for the Fargate stand-in (a child process running containers/render). */
  env: NodeJS.ProcessEnv;
  /**
   * Called when an execution ends FAILED, TIMED_OUT or ABORTED, as AWS emits "Step Functions Execution
   * Status Change" on the default bus (lib/execution-watch.ts routes it to the same handler).
   */
  onEnded?: (e: Execution) => Promise<void>;
}

/**
 * Runs statemachines/render.asl.json with aws-local-stepfunctions: each Task resource is mapped to the
 * same handler module the Lambda runs, ECS runTask.sync to a child process running the render
 * container's entry, and events:putEvents to the local bus.
 */
export class LocalStepFunctions {
  readonly executions = new Map<string, Execution>();
  private readonly machine: StateMachine;
  private readonly overrides: Record<string, TaskFn>;

  /**
   * Fault injection for tests: the named Task state runs `fn` instead of its handler until restored;
   * `fn` is handed the real handler, so it can also delay it (hold a job at a known state).
   */
  replaceTask(state: string, fn: (input: unknown, original: TaskFn) => Promise<unknown>): () => void {
    const original = this.overrides[state];
    if (!original) throw new Error(`no Task state ${state}`);
    this.overrides[state] = (input) => fn(input, original);
    return () => void (this.overrides[state] = original);
  }

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    this.machine = new StateMachine(loadDefinition() as never, { validationOptions: { checkPaths: false } });
    const p = HANDLERS.pipeline;
    const putEvents: TaskFn = async (input) => {
      const { Entries } = input as { Entries: Array<Record<string, unknown>> };
      await this.opts.putEvents(
        Entries.map((e) => ({
          ...e,
          Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
        })),
      );
      return { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: crypto.randomUUID() })) };
    };
    this.overrides = {
      Validate: lambdaTask(p.validate),
      PrepareItem: lambdaTask(p.prepareItem),
      Probe: lambdaTask(p.probe),
      Plan: lambdaTask(p.plan),
      RenderSingle: lambdaTask(p.renderChunk),
      RenderChunk: lambdaTask(p.renderChunk),
      RenderAudio: lambdaTask(p.renderAudio),
      Stitch: lambdaTask(p.stitch),
      BuildPackagingJob: lambdaTask(p.packageMediaConvert),
      CreateMediaConvertJob: createMediaConvertJobSync,
      CollectPackaging: lambdaTask(p.packageMediaConvert),
      Finalize: lambdaTask(p.finalize),
      MarkFailed: lambdaTask(p.markFailed),
      PublishSucceeded: putEvents,
      PublishFailed: putEvents,
      RenderOnFargate: (input) => this.runFargate(input),
    };
  }

  private runFargate(input: unknown): Promise<unknown> {
    const overrides = (input as { Overrides?: { ContainerOverrides?: Array<{ Command?: string[] }> } })
      .Overrides;
    const command = overrides?.ContainerOverrides?.[0]?.Command ?? [];
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', `${ROOT}containers/render/main.ts`, ...command],
        {
          env: this.opts.env,
          stdio: ['ignore', 'inherit', 'pipe'],
        },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve({ StopCode: 'EssentialContainerExited', Containers: [{ ExitCode: 0 }] });
        else {
          const e = new Error(
            JSON.stringify({
              errorType: 'States.TaskFailed',
              errorMessage: `render task exited ${code}: ${err.trim()}`,
            }),
          );
          e.name = 'States.TaskFailed';
          reject(e);
        }
      });
    });
  }

  start(name: string, input: string): Execution {
    if (this.executions.has(name)) {
      const e = new Error(`Execution Already Exists: ${name}`);
      e.name = 'ExecutionAlreadyExists';
      throw e;
    }
    const run = this.machine.run(JSON.parse(input), {
      overrides: { taskResourceLocalHandlers: this.overrides as never, retryIntervalOverrides: {} },
      noThrowOnAbort: true,
    });
    const execution: Execution = {
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      name,
      status: 'RUNNING',
      startDate: new Date(),
      input,
      abort: run.abort,
      done: Promise.resolve(),
    };
    execution.done = run.result.then(
      (output: unknown) => {
        if (execution.status === 'RUNNING') {
          execution.status = output === null ? 'ABORTED' : 'SUCCEEDED';
          execution.output = JSON.stringify(output);
        }
        execution.stopDate = new Date();
      },
      (err: Error & { cause?: unknown }) => {
        if (execution.status === 'RUNNING') {
          execution.status = 'FAILED';
          execution.error = err.name;
          execution.cause = err.message;
        }
        execution.stopDate = new Date();
      },
    );
    execution.done = execution.done.then(() =>
      execution.status === 'SUCCEEDED' ? undefined : this.opts.onEnded?.(execution),
    );
    this.executions.set(name, execution);
    return execution;
  }

  stop(executionArn: string): boolean {
    const e = [...this.executions.values()].find((x) => x.executionArn === executionArn);
    if (!e) return false;
    if (e.status === 'RUNNING') {
      e.status = 'ABORTED';
      e.abort();
    }
    return true;
  }

  /** Waits for every execution still running (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }
}
