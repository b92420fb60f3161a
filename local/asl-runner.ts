import './polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { SFN_QUOTAS } from '../lambdas/core/plan/sfn-quotas.js';

export type TaskFn = (input: unknown) => Promise<unknown>;
type StateDef = Record<string, unknown>;
export interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  [k: string]: unknown;
}
export type Quotas = typeof SFN_QUOTAS;

/** An error no Retry or Catch may handle, as AWS treats States.DataLimitExceeded and States.Runtime. */
export class TerminalStateError extends Error {
  readonly isCatchable = false;
  readonly isRetryable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** An error a Catch may handle, with the name Step Functions gives it. */
class StateError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The Task a Map becomes for aws-local-stepfunctions (which ignores Distributed mode and ItemReader). */
const MAP_RESOURCE = 'arn:cutline:local:map';
/**
 * A Map state has no timeout of its own; as the library's Task it would get the library's 60 s default,
 * so it gets setTimeout's ceiling (~24.8 days) instead.
 */
const MAP_TASK_TIMEOUT = 2_147_483;
/** Where a Task's TimeoutSecondsPath value travels through its Parameters (see prepareDefinition). */
const TIMEOUT_FIELD = '__cutlineTimeoutSeconds';

interface MapSpec {
  state: StateDef;
  processor: Definition;
  distributed: boolean;
}

/**
 * Walks a definition the way this runner needs it: every Task must state its timeout (AWS has no
 * useful default and the library's 60 s must never apply), and every Map becomes a Task run by this
 * runner, so that inline Maps keep AWS's 40-iteration ceiling and Distributed Maps run child executions
 * with their own histories. Fails loudly on what it cannot run faithfully.
 */
export function prepareDefinition(def: Definition, maps: Map<string, MapSpec>, where = ''): Definition {
  const states: Record<string, StateDef> = {};
  for (const [name, s] of Object.entries(def.States)) {
    const at = `${where}${name}`;
    if (s.Type === 'Task') {
      const t = s.TimeoutSeconds;
      if (t === undefined && s.TimeoutSecondsPath === undefined)
        throw new Error(`${at}: a Task needs TimeoutSeconds or TimeoutSecondsPath (no limit may be implied)`);
      // AWS refuses a definition that gives both (they are mutually exclusive), so this runner does too.
      if (t !== undefined && s.TimeoutSecondsPath !== undefined)
        throw new Error(`${at}: TimeoutSeconds and TimeoutSecondsPath are mutually exclusive`);
      if (t !== undefined && (!Number.isInteger(t) || (t as number) < 1 || (t as number) > 99_999_999))
        throw new Error(`${at}: TimeoutSeconds must be an integer from 1 to 99999999`);
      // AWS resolves TimeoutSecondsPath against the state's input; the library resolves it against the
      // Parameters' result. Carrying the value through Parameters gives AWS's meaning (guard strips it).
      const path = s.TimeoutSecondsPath as string | undefined;
      states[name] =
        path && s.Parameters && typeof s.Parameters === 'object'
          ? {
              ...s,
              Parameters: { ...(s.Parameters as object), [`${TIMEOUT_FIELD}.$`]: path },
              TimeoutSecondsPath: `$.${TIMEOUT_FIELD}`,
            }
          : s;
    } else if (s.Type === 'Parallel') {
      states[name] = {
        ...s,
        Branches: (s.Branches as Definition[]).map((b, i) => prepareDefinition(b, maps, `${at}[${i}].`)),
      };
    } else if (s.Type === 'Map') {
      if (maps.has(name)) throw new Error(`${at}: two Map states named ${name}`);
      const proc = (s.ItemProcessor ?? s.Iterator) as Definition & {
        ProcessorConfig?: { Mode?: string; ExecutionType?: string };
      };
      const distributed = proc.ProcessorConfig?.Mode === 'DISTRIBUTED';
      const reader = s.ItemReader as
        { Resource?: string; ReaderConfig?: { InputType?: string }; Parameters?: unknown } | undefined;
      if (reader && !distributed) throw new Error(`${at}: ItemReader needs a Distributed Map`);
      if (
        reader &&
        (reader.Resource !== 'arn:aws:states:::s3:getObject' || reader.ReaderConfig?.InputType !== 'JSON')
      )
        throw new Error(`${at}: the local runner reads only JSON manifests with s3:getObject`);
      for (const field of ['ResultWriter', 'ItemBatcher'])
        if (field in s) throw new Error(`${at}: ${field} is not supported by the local runner`);
      if (distributed && proc.ProcessorConfig?.ExecutionType !== 'STANDARD')
        throw new Error(`${at}: only STANDARD child executions run locally`);
      const { ProcessorConfig: _pc, ...body } = proc;
      maps.set(name, { state: s, processor: prepareDefinition(body, maps, `${at}.`), distributed });
      const keep = [
        'Comment',
        'InputPath',
        'ResultSelector',
        'ResultPath',
        'OutputPath',
        'Retry',
        'Catch',
        'Next',
        'End',
      ];
      states[name] = {
        Type: 'Task',
        Resource: MAP_RESOURCE,
        Parameters: { 'input.$': '$' },
        TimeoutSeconds: MAP_TASK_TIMEOUT,
        ...Object.fromEntries(keep.filter((k) => k in s).map((k) => [k, s[k]])),
      };
    } else states[name] = s;
  }
  return { ...def, States: states };
}

/** AWS history events a library event stands for (a Task adds TaskScheduled, TaskStarted, TaskSucceeded). */
function historyWeight(e: { type: string; state?: { type?: string } }): number {
  if ((e.type === 'StateEntered' || e.type === 'StateRetried') && e.state?.type === 'Task') return 4;
  return 1;
}

const byteLength = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? null), 'utf8');

/** One execution's bookkeeping: its history count, its failure, and how to stop all it started. */
class Execution {
  events = 0;
  failure?: TerminalStateError;
  /** Stops the execution's root run and, through it, every Map iteration it started. */
  abortRoot?: () => void;
  private onFail?: (e: TerminalStateError) => void;
  readonly failed = new Promise<never>((_, reject) => (this.onFail = reject));

  constructor(private readonly quotas: Quotas) {
    this.failed.catch(() => {});
  }

  count(n: number) {
    this.events += n;
    if (this.events > this.quotas.historyEvents)
      this.fail(
        new TerminalStateError(
          'States.Runtime',
          `the execution history reached the limit of ${this.quotas.historyEvents} events: ` +
            'move fan-out into a Distributed Map, whose children have histories of their own',
        ),
      );
  }

  checkSize(what: string, value: unknown) {
    const bytes = byteLength(value);
    if (bytes > this.quotas.payloadBytes) {
      const e = new TerminalStateError(
        'States.DataLimitExceeded',
        `${what} is ${bytes} bytes, over the ${this.quotas.payloadBytes}-byte limit of a state's data`,
      );
      this.fail(e);
      throw e;
    }
  }

  fail(e: TerminalStateError) {
    if (this.failure) return;
    this.failure = e;
    this.onFail!(e);
    this.abortRoot?.();
  }
}

export interface AslRunnerOptions {
  /** Task handlers by state name (the library's taskResourceLocalHandlers). */
  handlers: Record<string, TaskFn>;
  /** Reads a JSON object for an ItemReader (the local S3). */
  readJson: (bucket: string, key: string) => Promise<unknown>;
  quotas?: Partial<Quotas>;
}

export interface Run {
  result: Promise<unknown>;
  abort: () => void;
}

/**
 * Runs an ASL definition on aws-local-stepfunctions as strictly as AWS: every Task's timeout as written
 * (and none implied), 256 KiB per state input, output and task result (States.DataLimitExceeded, which no
 * Catch handles), inline Maps at most 40 iterations at once whatever MaxConcurrency says, Distributed Maps
 * reading their items from S3 (ItemReader) or the state, running each item as a child execution with its
 * own history, failing with States.ExceedToleratedFailureThreshold as AWS does, and at most 25,000 history
 * events per execution.
 */
export class AslRunner {
  readonly quotas: Quotas;
  private readonly maps = new Map<string, MapSpec>();
  private readonly definition: Definition;
  private readonly machines = new WeakMap<Definition, StateMachine>();
  /** The most iterations each Map had in flight at once (tests and benchmarks read it). */
  readonly peakConcurrency = new Map<string, number>();
  /** The longest each task ran, in seconds, over every run (benchmarks read it). */
  readonly longestTask = new Map<string, number>();
  /** The largest input or output each state had, in bytes, over every run (tests read it). */
  readonly payloadPeaks = new Map<string, number>();

  constructor(
    definition: Definition,
    private readonly opts: AslRunnerOptions,
  ) {
    this.quotas = { ...SFN_QUOTAS, ...opts.quotas };
    this.definition = prepareDefinition(structuredClone(definition), this.maps);
  }

  /** One execution; `handlers` replaces the constructor's for this run and its Map children. */
  run(input: unknown, handlers: Record<string, TaskFn> = this.opts.handlers): Run {
    return this.execute(this.definition, input, new Execution(this.quotas), handlers);
  }

  private machine(def: Definition): StateMachine {
    let m = this.machines.get(def);
    if (!m) {
      m = new StateMachine(def as never, { validationOptions: { noValidate: true } });
      this.machines.set(def, m);
    }
    return m;
  }

  /** One run of a definition: the execution's root, or one Map iteration (its Maps stop with it). */
  private execute(
    def: Definition,
    input: unknown,
    exec: Execution,
    taskHandlers: Record<string, TaskFn>,
  ): Run {
    exec.checkSize('the execution input', input);
    const inner = new Set<() => void>();
    const handlers: Record<string, TaskFn> = {};
    for (const [name, fn] of Object.entries(taskHandlers)) handlers[name] = this.guard(name, fn, exec);
    for (const name of this.maps.keys())
      handlers[name] = this.guard(
        name,
        (i) => this.runMap(name, (i as { input: unknown }).input, exec, inner, taskHandlers),
        exec,
      );
    const run = this.machine(def).run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
    });
    const abort = () => {
      run.abort();
      for (const a of [...inner]) a();
    };
    exec.abortRoot ??= abort;
    const watched = this.watch(run.eventLogs as AsyncGenerator<Record<string, unknown>>, exec);
    const result = Promise.race([
      // The log is read to its end before the result counts: the last state's output is checked too.
      run.result.then(async (out) => (await watched, exec.failure ? Promise.reject(exec.failure) : out)),
      exec.failed,
    ]).catch((err: Error & { cause?: Error }) => {
      // The library wraps the error that ended the execution; Step Functions reports that error itself.
      throw exec.failure ?? (err.name === 'ExecutionError' && err.cause ? err.cause : err);
    });
    return { result, abort };
  }

  /** Task input and result within the payload limit, checked where the task sees them. */
  private guard(name: string, fn: TaskFn, exec: Execution): TaskFn {
    return async (raw) => {
      let input = raw;
      if (raw && typeof raw === 'object' && TIMEOUT_FIELD in raw) {
        const { [TIMEOUT_FIELD]: _t, ...rest } = raw as Record<string, unknown>;
        input = rest;
      }
      exec.checkSize(`the input of ${name}`, input);
      const t0 = performance.now();
      const out = await fn(input);
      const took = (performance.now() - t0) / 1000;
      this.longestTask.set(name, Math.max(this.longestTask.get(name) ?? 0, took));
      exec.checkSize(`the result of ${name}`, out);
      return out;
    };
  }

  /** Every state's input and output within the limit, and the history counted, from the event log. */
  private async watch(events: AsyncGenerator<Record<string, unknown>>, exec: Execution) {
    try {
      for await (const e of events) {
        exec.count(historyWeight(e as never));
        const state = e.state as { name: string; input?: unknown; output?: unknown } | undefined;
        if (!state || (e.type !== 'StateEntered' && e.type !== 'StateExited')) continue;
        const value = e.type === 'StateEntered' ? state.input : state.output;
        const bytes = byteLength(value);
        this.payloadPeaks.set(state.name, Math.max(this.payloadPeaks.get(state.name) ?? 0, bytes));
        try {
          exec.checkSize(`the ${e.type === 'StateEntered' ? 'input' : 'output'} of ${state.name}`, value);
        } catch {
          return; // exec.fail has ended the execution
        }
      }
    } catch {
      /* the log ends with the execution */
    }
  }

  /** Evaluates a payload template or a path with the library itself, as a one-state Pass machine. */
  private async evaluate(
    field: 'Parameters' | 'InputPath',
    value: unknown,
    input: unknown,
    context?: object,
  ) {
    const def: Definition = { StartAt: 'E', States: { E: { Type: 'Pass', [field]: value, End: true } } };
    return new StateMachine(def as never, { validationOptions: { noValidate: true } }).run(input as never, {
      ...(context ? { context: context as never } : {}),
    }).result;
  }

  private async items(spec: MapSpec, input: unknown): Promise<unknown[]> {
    const s = spec.state;
    let items: unknown;
    const reader = s.ItemReader as { Parameters?: unknown } | undefined;
    if (reader) {
      const { Bucket, Key } = (await this.evaluate('Parameters', reader.Parameters, input)) as {
        Bucket: string;
        Key: string;
      };
      items = await this.opts.readJson(Bucket, Key).catch((err: Error) => {
        throw new StateError(
          'States.ItemReaderFailed',
          `could not read s3://${Bucket}/${Key}: ${err.message}`,
        );
      });
    } else items = s.ItemsPath ? await this.evaluate('InputPath', s.ItemsPath, input) : input;
    if (!Array.isArray(items))
      throw new StateError('States.Runtime', 'the items of a Map must be a JSON array');
    return items;
  }

  private async concurrency(spec: MapSpec, input: unknown): Promise<number> {
    const s = spec.state;
    const asked = s.MaxConcurrencyPath
      ? Number(await this.evaluate('InputPath', s.MaxConcurrencyPath, input))
      : Number(s.MaxConcurrency ?? 0);
    if (!Number.isInteger(asked) || asked < 0)
      throw new StateError('States.Runtime', `MaxConcurrency must be an integer ≥ 0, got ${asked}`);
    // 0 means "as many as possible", which is the mode's ceiling; an inline Map never exceeds 40.
    const ceiling = spec.distributed
      ? this.quotas.distributedMapConcurrency
      : this.quotas.inlineMapConcurrency;
    return asked === 0 ? ceiling : Math.min(asked, ceiling);
  }

  private async runMap(
    name: string,
    input: unknown,
    parent: Execution,
    scope: Set<() => void>,
    taskHandlers: Record<string, TaskFn>,
  ): Promise<unknown[]> {
    const spec = this.maps.get(name)!;
    const items = await this.items(spec, input);
    const limit = await this.concurrency(spec, input);
    const s = spec.state;
    const selector = s.ItemSelector ?? s.Parameters;
    const results: unknown[] = new Array(items.length);
    const runs = new Set<Run>();
    const tolerated = Number(s.ToleratedFailureCount ?? 0);
    let failures = 0;
    let firstError: Error | undefined;
    let next = 0;
    let inFlight = 0;
    const stopAll = () => runs.forEach((r) => r.abort());
    scope.add(stopAll);
    parent.count(2); // MapStateStarted / MapRunStarted, and its end
    const worker = async () => {
      while (next < items.length && !firstError) {
        const index = next++;
        const context = { Map: { Item: { Index: index, Value: items[index] } } };
        const itemInput = selector
          ? await this.evaluate('Parameters', selector, input, context)
          : items[index];
        // An inline iteration lives in the parent's history; a Distributed Map's child has its own.
        const exec = spec.distributed ? new Execution(this.quotas) : parent;
        if (!spec.distributed) parent.count(2); // MapIterationStarted / Succeeded
        const run = this.execute(spec.processor, itemInput, exec, taskHandlers);
        runs.add(run);
        inFlight++;
        this.peakConcurrency.set(name, Math.max(this.peakConcurrency.get(name) ?? 0, inFlight));
        try {
          results[index] = await run.result;
        } catch (err) {
          const e = err as Error;
          if (e instanceof TerminalStateError && !spec.distributed) throw e;
          failures++;
          if (!spec.distributed || failures > tolerated) {
            firstError ??= e;
            stopAll();
          }
        } finally {
          inFlight--;
          runs.delete(run);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    } finally {
      scope.delete(stopAll);
    }
    if (firstError) {
      if (!spec.distributed) throw firstError;
      // A Distributed Map reports the threshold, not its child's error (the child records its own reason).
      throw new StateError(
        'States.ExceedToleratedFailureThreshold',
        `${failures} child execution(s) of ${name} failed, more than the ${tolerated} tolerated (first: ${firstError.name}: ${firstError.message})`,
      );
    }
    return results;
  }
}
