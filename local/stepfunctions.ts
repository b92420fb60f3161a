import './polyfills.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { recordCall, runAs } from '../lambdas/core/aws/call-recorder.js';
import { ENV, HANDLERS } from '../lambdas/core/config.js';
import { getPlatform } from '../lambdas/core/platform.js';
import { spawnManaged } from '../lambdas/core/media/processes.js';
import { runWithTaskSignal } from '../lambdas/core/media/task-signal.js';
import { jobScratch, removeScratch } from '../lambdas/pipeline/scratch.js';
import { AslRunner, type Definition, type Quotas, type TaskFn } from './asl-runner.js';
import { createMediaConvertJobSync } from './mediaconvert.js';
import { nodeEntryArgs, runnableModule } from './modules.js';

export type { TaskFn };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';
export const STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:cutline-render`;
const fnArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:cutline-${name}`;

/** The very file CDK deploys, with the placeholders CDK would fill. */
export function loadDefinition(file = `${ROOT}statemachines/render.asl.json`): Definition {
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
  return JSON.parse(text) as Definition;
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
    const mod = (await import(`${ROOT}${runnableModule(entry)}`)) as {
      handler: (e: unknown) => Promise<unknown>;
    };
    const { Payload } = input as { Payload: unknown };
    try {
      return { Payload: await runAs(entry, () => mod.handler(Payload)) };
    } catch (err) {
      throw asLambdaError(err);
    }
  };
}

interface TaskResource {
  resource: string;
  /** The Parameters fixed in the definition (FunctionName, TaskDefinition, …), not the `.$` paths. */
  fixed: Record<string, unknown>;
}

/** Task state name → its Resource and fixed Parameters, through Map and Parallel states. */
function taskResources(
  definition: Record<string, unknown>,
  out = new Map<string, TaskResource>(),
): Map<string, TaskResource> {
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string')
      out.set(name, {
        resource: state.Resource,
        fixed: Object.fromEntries(
          Object.entries((state.Parameters ?? {}) as Record<string, unknown>).filter(
            ([k]) => !k.endsWith('.$'),
          ),
        ),
      });
    const inner = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
    if (inner) taskResources(inner, out);
    for (const b of (state.Branches ?? []) as Array<Record<string, unknown>>) taskResources(b, out);
  }
  return out;
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
  /** Settles once the execution ended and every task it started has settled and its scratch is gone. */
  done: Promise<void>;
  /** Waiting for a job slot (its job is still QUEUED); it starts when one frees. */
  queued?: boolean;
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
  /** Executions (jobs) running at once; the rest wait, in the order they were started. Default: cores. */
  maxRunning?: number;
  /** AWS's quotas unless a test narrows one to reach it cheaply. */
  quotas?: Partial<Quotas>;
}

/** How long a stopped execution's tasks get to settle (their process groups are killed within 2 s). */
const SETTLE_MS = 5000;

interface Slot {
  execution: Execution;
  begin: () => void;
}

/**
 * Runs statemachines/render.asl.json with aws-local-stepfunctions: each Task resource is mapped to the
 * same handler module the Lambda runs, ECS runTask.sync to a child process running the render
 * container's entry, and events:putEvents to the local bus.
 */
export class LocalStepFunctions {
  readonly executions = new Map<string, Execution>();
  /** Runs the definition with AWS's quotas (local/asl-runner.ts). */
  readonly runner: AslRunner;
  private readonly overrides: Record<string, TaskFn>;
  private readonly waiting: Slot[] = [];
  private running = 0;

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
      // The poll of work a provider runs asynchronously (a generation, a transcription job): same function.
      PollPrepareItem: lambdaTask(p.prepareItem),
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
      // A Distributed Map's child records its failure with the MarkFailed function too.
      RecordChunkFailure: lambdaTask(p.markFailed),
      RecordAudioFailure: lambdaTask(p.markFailed),
      RecordRenditionFailure: lambdaTask(p.markFailed),
      PublishSucceeded: putEvents,
      PublishFailed: putEvents,
      RenderOnFargate: (input) => this.runFargate(input),
    };
    // Each Task state's call is the state machine role's: recorded for the IAM simulation.
    const resources = taskResources(loadDefinition());
    for (const [state, fn] of Object.entries(this.overrides)) {
      const task = resources.get(state);
      if (!task) continue;
      this.overrides[state] = (input) => {
        recordCall({
          caller: 'statemachine',
          service: 'states-integration',
          command: task.resource,
          input: { ...task.fixed, ...(input as object) },
        });
        return fn(input);
      };
    }
    this.runner = new AslRunner(loadDefinition(), {
      handlers: this.overrides,
      readJson: (bucket, key) => getPlatform().objects.getJson(bucket, key),
      quotas: opts.quotas,
    });
  }

  /** Tasks that start no process and must run even while the execution's work is being stopped. */
  private static readonly UNSTOPPABLE = new Set([
    'MarkFailed',
    'RecordChunkFailure',
    'RecordAudioFailure',
    'RecordRenditionFailure',
    'PublishFailed',
    'PublishSucceeded',
  ]);

  get maxRunning(): number {
    return Math.max(1, this.opts.maxRunning ?? availableParallelism());
  }

  /**
   * The render container's entry in a child process that leads its own process group (its ffmpegs stay
   * in it), holding as many ffmpeg slots as it renders chunks at once: ending the group ends the task,
   * as ECS stops a task when its execution is stopped.
   */
  private async runFargate(input: unknown): Promise<unknown> {
    const overrides = (input as { Overrides?: { ContainerOverrides?: Array<{ Command?: string[] }> } })
      .Overrides;
    const command = overrides?.ContainerOverrides?.[0]?.Command ?? [];
    const slots = Math.min(this.maxRunning, availableParallelism());
    const { child, exited, aborted } = await spawnManaged(
      process.execPath,
      [...nodeEntryArgs(`${ROOT}containers/render/main.ts`), ...command],
      {
        // The task's recorded AWS calls are the task role's (the IAM simulation).
        env: {
          ...this.opts.env,
          [ENV.WORKERS]: String(slots),
          [ENV.PID_DIR]: '',
          [ENV.CALLER]: 'containers/render/main.ts',
        },
        stdio: ['ignore', 'inherit', 'pipe'],
        slots,
      },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const { code } = await exited;
    if (code === 0) return { StopCode: 'EssentialContainerExited', Containers: [{ ExitCode: 0 }] };
    const e = new Error(
      JSON.stringify({
        errorType: 'States.TaskFailed',
        errorMessage: aborted() ? 'render task stopped' : `render task exited ${code}: ${err.trim()}`,
      }),
    );
    e.name = 'States.TaskFailed';
    throw e;
  }

  /**
   * This execution's handlers: each task runs with the execution's signal (every process it starts ends
   * when the signal aborts) and is counted until it settles. Entering MarkFailed stops the rest of the
   * work first (a failed chunk's siblings, an audio mix), so a failure leaves nothing running.
   */
  private handlersFor(work: AbortController, inflight: Set<Promise<unknown>>): Record<string, TaskFn> {
    const wrapped: Record<string, TaskFn> = {};
    for (const state of Object.keys(this.overrides)) {
      wrapped[state] = (input) => {
        // Looked up per call: replaceTask (tests) applies to executions already running.
        const fn = this.overrides[state]!;
        if (state === 'MarkFailed') work.abort();
        const run = LocalStepFunctions.UNSTOPPABLE.has(state)
          ? fn(input)
          : runWithTaskSignal(work.signal, () => fn(input));
        inflight.add(run);
        const untrack = () => inflight.delete(run);
        run.then(untrack, untrack);
        return run;
      };
    }
    return wrapped;
  }

  start(name: string, input: string): Execution {
    if (this.executions.has(name)) {
      const e = new Error(`Execution Already Exists: ${name}`);
      e.name = 'ExecutionAlreadyExists';
      throw e;
    }
    const execution: Execution = {
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      name,
      status: 'RUNNING',
      startDate: new Date(),
      input,
      abort: () => {},
      done: Promise.resolve(),
      queued: true,
    };
    let begun!: () => void;
    const admitted = new Promise<void>((resolve) => (begun = resolve));
    // Stopped while it waits: it never runs.
    execution.abort = () => {
      const i = this.waiting.findIndex((w) => w.execution === execution);
      if (i >= 0) this.waiting.splice(i, 1);
      execution.stopDate = new Date();
      begun();
    };
    execution.done = admitted.then(() => {
      if (execution.queued) return; // stopped while it waited
      if (execution.status === 'RUNNING') return this.run(execution);
      // Stopped between its admission and its first state: give the slot back.
      this.running--;
      this.admit();
    });
    // As AWS emits an Execution Status Change for every end but success (stopped while queued too).
    execution.done = execution.done.then(() =>
      execution.status === 'SUCCEEDED' ? undefined : this.opts.onEnded?.(execution),
    );
    this.executions.set(name, execution);
    this.waiting.push({ execution, begin: begun });
    this.admit();
    return execution;
  }

  /** Starts waiting executions while job slots are free. */
  private admit(): void {
    while (this.running < this.maxRunning && this.waiting.length) {
      const next = this.waiting.shift()!;
      this.running++;
      next.execution.queued = false;
      next.begin();
    }
  }

  /** Waiting executions in order (the API's queue position is computed from the table, not from here). */
  get queueLength(): number {
    return this.waiting.length;
  }

  private async run(execution: Execution): Promise<void> {
    const work = new AbortController();
    const inflight = new Set<Promise<unknown>>();
    const run = this.runner.run(JSON.parse(execution.input), this.handlersFor(work, inflight));
    execution.abort = () => {
      work.abort();
      run.abort();
    };
    try {
      try {
        const output: unknown = await run.result;
        if (execution.status === 'RUNNING') {
          execution.status = output === null ? 'ABORTED' : 'SUCCEEDED';
          execution.output = JSON.stringify(output);
        }
      } catch (e) {
        const err = e as Error;
        if (execution.status === 'RUNNING') {
          execution.status = 'FAILED';
          execution.error = err.name;
          execution.cause = err.message;
        }
      }
      execution.stopDate = new Date();
      // Whatever the end (stopped, failed, timed out), nothing it started outlives it.
      work.abort();
      const settled = Promise.allSettled([...inflight]);
      await Promise.race([settled, new Promise((r) => setTimeout(r, SETTLE_MS).unref())]);
      const jobId = (JSON.parse(execution.input) as { jobId?: unknown }).jobId;
      if (typeof jobId === 'string' && /^[\w-]+$/.test(jobId)) await removeScratch(jobScratch(jobId));
    } finally {
      this.running--;
      this.admit();
    }
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

  /** Stops every execution (platform shutdown): their processes end with them. Returns their job ids. */
  stopAll(): string[] {
    const jobs: string[] = [];
    for (const e of this.executions.values()) {
      if (e.status !== 'RUNNING') continue;
      this.stop(e.executionArn);
      const { jobId } = JSON.parse(e.input) as { jobId?: unknown };
      if (typeof jobId === 'string') jobs.push(jobId);
    }
    return jobs;
  }

  /** Waits for every execution still running (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }
}
