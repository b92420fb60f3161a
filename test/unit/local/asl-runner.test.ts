import { afterEach, describe, expect, it, vi } from 'vitest';
import { AslRunner, prepareDefinition, type Definition, type TaskFn } from '../../../local/asl-runner.js';
import { loadDefinition } from '../../../local/stepfunctions.js';

const task = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:lambda:local:000000000000:function:t',
  TimeoutSeconds: 5,
  End: true,
  ...extra,
});
const one = (state: Record<string, unknown>): Definition => ({ StartAt: 'T', States: { T: state } });
const runner = (
  def: Definition,
  handlers: Record<string, TaskFn>,
  readJson: (bucket: string, key: string) => Promise<unknown> = async () => [],
) => new AslRunner(def, { handlers, readJson });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Map over `items` whose iterations each run task Work (which sees the item as {item}). */
const mapOf = (mode: 'INLINE' | 'DISTRIBUTED', extra: Record<string, unknown> = {}) =>
  one({
    Type: 'Map',
    ItemsPath: '$.items',
    ItemSelector: { 'item.$': '$$.Map.Item.Value' },
    ItemProcessor: {
      ProcessorConfig: { Mode: mode, ...(mode === 'DISTRIBUTED' ? { ExecutionType: 'STANDARD' } : {}) },
      StartAt: 'Work',
      States: { Work: task() },
    },
    End: true,
    ...extra,
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('task timeouts exactly as written', () => {
  it('refuses a Task with no timeout (AWS would let it run a year, the library would stop it at 60 s)', () => {
    const def = one({ ...task(), TimeoutSeconds: undefined });
    expect(() => prepareDefinition(def, new Map())).toThrow(/T: a Task needs TimeoutSeconds/);
    // Both at once is a definition AWS refuses.
    const both = one(task({ TimeoutSeconds: 5, TimeoutSecondsPath: '$.t' }));
    expect(() => prepareDefinition(both, new Map())).toThrow(
      /T: TimeoutSeconds and TimeoutSecondsPath are mutually exclusive/,
    );
  });

  it('every Task of statemachines/render.asl.json has a timeout, so the runner loads it', () => {
    expect(() => prepareDefinition(loadDefinition(), new Map())).not.toThrow();
  });

  it('a task running past TimeoutSeconds fails States.Timeout at that time, one within it succeeds', async () => {
    const slow: TaskFn = () => sleep(1500).then(() => 'late');
    const t0 = performance.now();
    await expect(runner(one(task({ TimeoutSeconds: 1 })), { T: slow }).run({}).result).rejects.toMatchObject({
      name: 'States.Timeout',
    });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(990);
    expect(took).toBeLessThan(1450);
    await expect(runner(one(task({ TimeoutSeconds: 3 })), { T: slow }).run({}).result).resolves.toBe('late');
  });

  it('no 60 s default: a 10-minute limit lets a 9-minute task finish', async () => {
    vi.useFakeTimers();
    const nineMinutes: TaskFn = () => new Promise((r) => setTimeout(() => r('done'), 9 * 60_000));
    const run = runner(one(task({ TimeoutSeconds: 600 })), { T: nineMinutes }).run({});
    const settled = run.result.then(
      (v) => ({ v }),
      (e: Error) => ({ e: e.name }),
    );
    await vi.advanceTimersByTimeAsync(9 * 60_000 + 10);
    expect(await settled).toEqual({ v: 'done' });
  });

  it('TimeoutSecondsPath reads the state input, as in AWS (not the Parameters it builds)', async () => {
    const seen: unknown[] = [];
    const slow: TaskFn = async (input) => {
      seen.push(input);
      await sleep(1300);
      return 'ok';
    };
    const def = one(
      task({ TimeoutSeconds: undefined, TimeoutSecondsPath: '$.limit', Parameters: { 'x.$': '$.x' } }),
    );
    await expect(runner(def, { T: slow }).run({ x: 1, limit: 1 }).result).rejects.toMatchObject({
      name: 'States.Timeout',
    });
    await expect(runner(def, { T: slow }).run({ x: 2, limit: 3 }).result).resolves.toBe('ok');
    // The handler sees exactly the Parameters' result.
    expect(seen).toEqual([{ x: 1 }, { x: 2 }]);
  });
});

describe('256 KiB per state', () => {
  const big = 'x'.repeat(256 * 1024);

  it('a task result over the limit fails the execution with States.DataLimitExceeded, which no Catch takes', async () => {
    const def: Definition = {
      StartAt: 'T',
      States: {
        T: task({
          End: undefined,
          Next: 'Done',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
        }),
        Caught: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    await expect(runner(def, { T: async () => ({ big }) }).run({}).result).rejects.toMatchObject({
      name: 'States.DataLimitExceeded',
      message: expect.stringMatching(/the result of T is 26\d{4} bytes, over the 262144-byte limit/),
    });
    // Just under the limit is fine.
    const fits = 'x'.repeat(256 * 1024 - 20);
    await expect(runner(def, { T: async () => ({ fits }) }).run({}).result).resolves.toEqual({ fits });
  });

  it('a state output grown past the limit by ResultPath fails too (checked on every state, not only tasks)', async () => {
    const half = 'y'.repeat(140 * 1024);
    const def: Definition = {
      StartAt: 'A',
      States: {
        A: task({ End: undefined, ResultPath: '$.a', Next: 'B' }),
        B: task({ ResultPath: '$.b' }),
      },
    };
    const r = runner(def, { A: async () => half, B: async () => half });
    await expect(r.run({}).result).rejects.toMatchObject({ name: 'States.DataLimitExceeded' });
  });
});

describe('Map concurrency as in AWS', () => {
  /** A Work handler that records how many run at once and holds each one briefly. */
  function counting() {
    let now = 0;
    let peak = 0;
    const fn: TaskFn = async (input) => {
      peak = Math.max(peak, ++now);
      await sleep(20);
      now--;
      return (input as { item: number }).item;
    };
    return { fn, peak: () => peak };
  }
  const items = Array.from({ length: 120 }, (_, i) => i);

  for (const asked of [100, 0]) {
    it(`an inline Map with MaxConcurrency ${asked} runs at most 40 iterations at once`, async () => {
      const c = counting();
      const r = runner(mapOf('INLINE', { MaxConcurrency: asked }), { Work: c.fn });
      await expect(r.run({ items }).result).resolves.toEqual(items);
      expect(c.peak()).toBe(40);
    });
  }

  it('a Distributed Map runs as many as MaxConcurrencyPath asks (here 100), reading items from S3', async () => {
    const c = counting();
    const reads: string[] = [];
    const def = mapOf('DISTRIBUTED', {
      ItemsPath: undefined,
      MaxConcurrencyPath: '$.width',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.ref.bucket', 'Key.$': '$.ref.key' },
      },
    });
    const r = runner(def, { Work: c.fn }, async (bucket: string, key: string) => {
      reads.push(`${bucket}/${key}`);
      return items;
    });
    await expect(r.run({ width: 100, ref: { bucket: 'b', key: 'work/plan.json' } }).result).resolves.toEqual(
      items,
    );
    expect(reads).toEqual(['b/work/plan.json']);
    expect(c.peak()).toBe(100);
    expect(r.peakConcurrency.get('T')).toBe(100);
  });

  it('refuses what it cannot run faithfully: ItemReader on an inline Map, CSV manifests, ResultWriter', () => {
    const reader = { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' } };
    expect(() => prepareDefinition(mapOf('INLINE', { ItemReader: reader }), new Map())).toThrow(
      /ItemReader needs a Distributed Map/,
    );
    const csv = { ...reader, ReaderConfig: { InputType: 'CSV' } };
    expect(() => prepareDefinition(mapOf('DISTRIBUTED', { ItemReader: csv }), new Map())).toThrow(/JSON/);
    expect(() => prepareDefinition(mapOf('DISTRIBUTED', { ResultWriter: {} }), new Map())).toThrow(
      /ResultWriter is not supported/,
    );
  });
});

describe('failures and history', () => {
  const failing: TaskFn = async (input) => {
    if ((input as { item: number }).item === 3) {
      const e = new Error('chunk 3 broke');
      e.name = 'RENDER_FAILED';
      throw e;
    }
    return 'ok';
  };

  it("an inline Map fails with its iteration's error; a Distributed Map with States.ExceedToleratedFailureThreshold", async () => {
    const items = [0, 1, 2, 3, 4];
    await expect(runner(mapOf('INLINE'), { Work: failing }).run({ items }).result).rejects.toMatchObject({
      name: 'RENDER_FAILED',
    });
    await expect(runner(mapOf('DISTRIBUTED'), { Work: failing }).run({ items }).result).rejects.toMatchObject(
      {
        name: 'States.ExceedToleratedFailureThreshold',
      },
    );
    // Within the tolerated count the Map succeeds (the failed item's result is null).
    const tolerant = mapOf('DISTRIBUTED', { ToleratedFailureCount: 1 });
    await expect(runner(tolerant, { Work: failing }).run({ items }).result).resolves.toEqual([
      'ok',
      'ok',
      'ok',
      undefined,
      'ok',
    ]);
  });

  it('25,000 history events end an execution; a Distributed Map keeps its children out of the parent history', async () => {
    // 4,000 iterations × (iteration start/end + a Task's 5 events) is 28,000 events inline.
    const items = Array.from({ length: 4000 }, (_, i) => i);
    const work: TaskFn = async () => 1;
    await expect(
      runner(mapOf('INLINE', { MaxConcurrency: 0 }), { Work: work }).run({ items }).result,
    ).rejects.toMatchObject({ name: 'States.Runtime', message: expect.stringMatching(/25000 events/) });
    const distributed = runner(mapOf('DISTRIBUTED', { MaxConcurrency: 200 }), { Work: work });
    await expect(distributed.run({ items }).result).resolves.toHaveLength(4000);
  }, 60_000);
});
