import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ENV, workerBudget } from '../config.js';
import { effectiveSignal } from './task-signal.js';

/**
 * Every ffmpeg, ffprobe and render child the engine starts goes through here, so that:
 *  - ffmpeg processes at once stay within the worker budget (CUTLINE_WORKERS; unset = no budget, as in
 *    Lambda, where one invocation renders one thing);
 *  - where the local platform manages processes (CUTLINE_PID_DIR set), each child leads its own process
 *    group, so stopping ends it and everything it started, and a pid file names it until it exits: after
 *    a crash the next start finds and ends the orphans (endOrphans), checking the process start time so a
 *    reused pid is never killed;
 *  - an aborted signal (the task's, see task-signal.ts) ends the group: SIGTERM, SIGKILL after GRACE_MS.
 */

const GRACE_MS = 2000;

// ---------------------------------------------------------------------------------------------------
// The budget: a FIFO counting semaphore; a request for n slots waits until n are free (atomically, so
// two multi-slot holders cannot deadlock each other).

interface Waiter {
  n: number;
  grant: () => void;
}

let used = 0;
const waiters: Waiter[] = [];

function pump(): void {
  while (waiters.length && used + waiters[0]!.n <= workerBudget()) {
    const w = waiters.shift()!;
    used += w.n;
    w.grant();
  }
}

/** Takes `n` slots of the ffmpeg budget (capped at the budget); resolves with the release. */
export function acquireSlots(n = 1, signal?: AbortSignal): Promise<() => void> {
  const want = Math.min(n, workerBudget());
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      used -= want;
      pump();
    };
    const w: Waiter = {
      n: want,
      grant: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      },
    };
    const onAbort = () => {
      const i = waiters.indexOf(w);
      if (i >= 0) waiters.splice(i, 1);
      reject(cancelled());
      pump();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    waiters.push(w);
    pump();
  });
}

/** ffmpeg processes running or waiting for a slot (tests, the queue view). */
export function budgetState(): { used: number; waiting: number; budget: number } {
  return { used, waiting: waiters.length, budget: workerBudget() };
}

// ---------------------------------------------------------------------------------------------------
// Process groups and pid files.

export class ProcessCancelledError extends Error {
  override name = 'AbortError';
  constructor() {
    super('the work was stopped (cancelled, timed out or failed elsewhere)');
  }
}
const cancelled = () => new ProcessCancelledError();

const pidDir = () => process.env[ENV.PID_DIR] || undefined;
const live = new Map<number, { detached: boolean; file?: string }>();
let exitHookInstalled = false;

/**
 * A process's identity that survives nothing but the process itself: its start time, in clock ticks
 * since boot from /proc, or on systems without /proc what `ps` says (to the second). A pid reused by
 * another process has another start time.
 */
export function processIdentity(pid: number): string | undefined {
  try {
    if (existsSync('/proc/self/stat')) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start at field 3; starttime is field 22.
      // Only the start time: the command changes when a script execs its interpreter (env → bash).
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    }
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined; // gone
  }
}

function signalGroup(pid: number, detached: boolean, sig: NodeJS.Signals): void {
  try {
    // A group leader's pid is its group id; without a group of its own only the process is signalled.
    process.kill(detached ? -pid : pid, sig);
  } catch {
    /* already gone */
  }
}

function register(child: ChildProcess, detached: boolean, bin: string): void {
  const pid = child.pid!;
  const entry: { detached: boolean; file?: string } = { detached };
  const dir = pidDir();
  if (dir && detached) {
    const identity = processIdentity(pid);
    if (identity) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      entry.file = join(dir, `${pid}.json`);
      writeFileSync(entry.file, JSON.stringify({ pid, identity, bin: basename(bin), owner: process.pid }), {
        mode: 0o600,
      });
    }
  }
  live.set(pid, entry);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A normal exit (Ctrl-C handled, an uncaught error) takes its groups with it; a SIGKILL leaves the
    // pid files for the next start.
    process.once('exit', () => endAllProcesses());
  }
}

function unregister(pid: number): void {
  const entry = live.get(pid);
  live.delete(pid);
  if (entry?.file) rmSync(entry.file, { force: true });
}

/** Ends every process group this process started and has not seen exit (platform shutdown). */
export function endAllProcesses(): void {
  for (const [pid, e] of live) signalGroup(pid, e.detached, 'SIGKILL');
}

/** Processes this process started that are still running (tests). */
export function liveProcesses(): number[] {
  return [...live.keys()];
}

/**
 * Ends the process groups a previous run left behind: each pid file whose process still has the
 * recorded identity is killed with its group; a file whose pid now belongs to another process (or to
 * none) is only removed. Returns the pids ended.
 */
export function endOrphans(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const ended: number[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    try {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; identity: string };
      if (Number.isInteger(rec.pid) && rec.pid > 1 && processIdentity(rec.pid) === rec.identity) {
        signalGroup(rec.pid, true, 'SIGKILL');
        ended.push(rec.pid);
      }
    } catch {
      /* unreadable: a file torn by the crash; nothing to verify it against */
    }
    rmSync(file, { force: true });
  }
  return ended;
}

export interface ManagedSpawnOptions {
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Slots of the ffmpeg budget this process holds while it runs (0: outside the budget, e.g. ffprobe). */
  slots?: number;
}

/**
 * Spawns `bin` once the budget allows, in its own process group where the platform manages processes,
 * ended with its group when the signal (own or the task's) aborts. The child's 'close' has run by the
 * time `exited` resolves; `aborted` says whether the stop was ours.
 */
export async function spawnManaged(
  bin: string,
  args: readonly string[],
  opts: ManagedSpawnOptions = {},
): Promise<{
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  aborted: () => boolean;
}> {
  const signal = effectiveSignal(opts.signal);
  const release = opts.slots ? await acquireSlots(opts.slots, signal) : () => {};
  if (signal?.aborted) {
    release();
    throw cancelled();
  }
  const detached = !!pidDir();
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'], env: opts.env, detached });
  } catch (err) {
    release();
    throw err;
  }
  let wasAborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (!child.pid || wasAborted) return;
    wasAborted = true;
    signalGroup(child.pid, detached, 'SIGTERM');
    // Only while it has not exited: a pid without a group of its own may belong to another process by then.
    killTimer = setTimeout(() => {
      if (detached || (child.exitCode === null && child.signalCode === null))
        signalGroup(child.pid!, detached, 'SIGKILL');
    }, GRACE_MS);
    killTimer.unref();
  };
  if (child.pid) register(child, detached, bin);
  // 'close' waits for the pipes, which a grandchild may hold long after the process itself exited; once
  // it has exited a pid without a group of its own can be reused by any process, so it stops being ours
  // here. (A group's id is not reused while any member lives, so group leaders stay until 'close'.)
  if (child.pid && !detached) child.once('exit', () => live.delete(child.pid!));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const done = (code: number | null, sig: NodeJS.Signals | null) => {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // The leader is gone; whatever it started in its group goes with it. (Without a group of its own the
      // pid may already belong to another process: never signal it after its exit.)
      if (child.pid && wasAborted && detached) signalGroup(child.pid, detached, 'SIGKILL');
      if (child.pid) unregister(child.pid);
      release();
      resolve({ code, signal: sig });
    };
    child.once('close', done);
    child.once('error', () => {
      // A spawn failure (ENOENT) emits no 'close' when no stdio was opened.
      if (!child.pid) done(null, null);
    });
  });
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return { child, exited, aborted: () => wasAborted };
}

/**
 * execFile's promise for managed processes: resolves {stdout, stderr}; rejects like execFile (an Error
 * with `code` = exit code or ENOENT, and `stderr`), or with ProcessCancelledError when stopped.
 */
export async function execManaged<E extends 'utf8' | 'buffer' = 'utf8'>(
  bin: string,
  args: readonly string[],
  opts: Omit<ManagedSpawnOptions, 'stdio'> & { encoding?: E; maxBuffer?: number; timeoutMs?: number } = {},
): Promise<{ stdout: E extends 'buffer' ? Buffer : string; stderr: string }> {
  // A timeout ends the group like a stop, and is reported as a timeout.
  const timer = opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined;
  const signal = timer ? (opts.signal ? AbortSignal.any([opts.signal, timer]) : timer) : opts.signal;
  const { child, exited, aborted } = await spawnManaged(bin, args, {
    ...opts,
    signal,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const max = opts.maxBuffer ?? 1024 * 1024;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  let spawnError: NodeJS.ErrnoException | undefined;
  child.stdout!.on('data', (d: Buffer) => {
    outBytes += d.length;
    if (outBytes > max) child.kill('SIGKILL');
    else out.push(d);
  });
  child.stderr!.on('data', (d: Buffer) => {
    err.push(d);
    if (err.length > 256) err.splice(0, err.length - 256);
  });
  child.once('error', (e: NodeJS.ErrnoException) => (spawnError = e));
  const { code, signal: killedBy } = await exited;
  const stderr = Buffer.concat(err).toString('utf8');
  if (aborted() && timer?.aborted && !opts.signal?.aborted)
    throw Object.assign(new Error(`${basename(bin)} timed out after ${opts.timeoutMs} ms`), { stderr });
  if (aborted()) throw cancelled();
  if (spawnError) throw Object.assign(spawnError, { stderr });
  if (outBytes > max)
    throw Object.assign(new Error(`${basename(bin)}: output over ${max} bytes`), { stderr });
  if (code !== 0)
    throw Object.assign(
      new Error(`${basename(bin)} ${killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`}`),
      { code, signal: killedBy, stderr },
    );
  const buf = Buffer.concat(out);
  return { stdout: (opts.encoding === 'buffer' ? buf : buf.toString('utf8')) as never, stderr };
}
