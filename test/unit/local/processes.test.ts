import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/core/config.js';
import {
  acquireSlots,
  budgetState,
  endOrphans,
  execManaged,
  processIdentity,
  ProcessCancelledError,
} from '../../../lambdas/core/media/processes.js';
import { runWithTaskSignal } from '../../../lambdas/core/media/task-signal.js';
import { queueView } from '../../../lambdas/core/jobs/queue.js';
import { groupAlive, until } from '../../helpers/processes.js';

const saved = { workers: process.env[ENV.WORKERS], pids: process.env[ENV.PID_DIR] };
afterEach(() => {
  for (const [k, v] of [
    [ENV.WORKERS, saved.workers],
    [ENV.PID_DIR, saved.pids],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

/** A `sleep` leading its own process group, as the platform spawns ffmpeg. */
function sleeper() {
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

describe('the worker budget', () => {
  it('grants slots first come, first served, never more than the budget, and drops aborted waiters', async () => {
    process.env[ENV.WORKERS] = '2';
    const order: string[] = [];
    const a = await acquireSlots(1);
    const b = await acquireSlots(1);
    expect(budgetState()).toMatchObject({ used: 2, budget: 2 });
    const gone = new AbortController();
    const c = acquireSlots(1).then((r) => (order.push('c'), r));
    const d = acquireSlots(2, gone.signal);
    const e = acquireSlots(1).then((r) => (order.push('e'), r));
    gone.abort();
    await expect(d).rejects.toBeInstanceOf(ProcessCancelledError);
    a();
    const rc = await c;
    expect(order).toEqual(['c']); // e waits: c and b hold both slots
    b();
    const re = await e;
    expect(order).toEqual(['c', 'e']);
    rc();
    re();
    expect(budgetState()).toMatchObject({ used: 0, waiting: 0 });
  });
});

describe('managed processes', () => {
  it("end with their group when the task's signal aborts", async () => {
    process.env[ENV.PID_DIR] = await mkdtemp(join(tmpdir(), 'cutline-pids-'));
    const stop = new AbortController();
    // A shell that starts a grandchild: the group kill must reach both.
    const run = runWithTaskSignal(stop.signal, () => execManaged('sh', ['-c', 'sleep 30 & sleep 30; wait']));
    await until('the pid file', async () => (await readdir(process.env[ENV.PID_DIR]!)).length === 1, 5000);
    const [file] = await readdir(process.env[ENV.PID_DIR]!);
    const pgid = Number(file!.replace('.json', ''));
    expect(groupAlive(pgid)).toBe(true);
    stop.abort();
    await expect(run).rejects.toBeInstanceOf(ProcessCancelledError);
    await until('the group ended', () => !groupAlive(pgid), 5000);
    expect(await readdir(process.env[ENV.PID_DIR]!)).toEqual([]);
  });
});

describe('orphans after a crash', () => {
  it('kills a recorded group whose start time matches, and never a pid now held by another process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-orphans-'));
    const orphan = sleeper();
    const stranger = sleeper();
    await writeFile(
      join(dir, `${orphan}.json`),
      JSON.stringify({ pid: orphan, identity: processIdentity(orphan) }),
    );
    // The pid was reused: the file's identity is an older process's.
    await writeFile(
      join(dir, `${stranger}.json`),
      JSON.stringify({ pid: stranger, identity: 'started earlier' }),
    );
    await writeFile(join(dir, 'torn.json'), '{"pid": 12');
    expect(endOrphans(dir)).toEqual([orphan]);
    await until('the orphan ended', () => !groupAlive(orphan), 2000);
    expect(groupAlive(stranger)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    process.kill(-stranger, 'SIGKILL');
  });
});

describe('queue view', () => {
  const job = (estimatedSeconds?: number, progress = 0) => ({ id: 'j', progress, estimatedSeconds });
  it('places a job behind the queued ones and spreads the work left over the workers', () => {
    expect(queueView([job(10), job(20)], [job(40, 50), job(10)], 2)).toEqual({
      position: 3,
      ahead: 2,
      running: 2,
      workers: 2,
      estimatedStartSeconds: Math.round((20 + 10 + 10 + 20) / 2),
    });
    // An unknown estimate counts as the mean of the known ones.
    expect(queueView([job(), job(30)], [job(10)], 1).estimatedStartSeconds).toBe(20 + 30 + 10);
    // No budget (AWS): a place, no estimate.
    expect(queueView([job(10)], [], Infinity)).toEqual({ position: 2, ahead: 1, running: 0 });
  });
});
