/** Timing, probing and statistics helpers for the bench. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Linux's USER_HZ; /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds used by this process's finished (waited-for) children, from /proc/self/stat (cutime +
 * cstime), or null off Linux. ffmpeg runs as a child, so the difference across a render is its CPU time.
 */
export function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has spent busy (all cores; /proc/stat), or null off Linux. */
export function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
    return Number.isFinite(busy) ? busy / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface Timing {
  wallSeconds: number;
  /** CPU seconds of the ffmpeg processes the step ran (user + system), or null where unknown. */
  cpuSeconds: number | null;
  /**
   * CPU seconds the rest of the machine used meanwhile (machine busy − ffmpeg − this process): other work
   * competing for the cores. Near 0 on a quiet machine; null where unknown.
   */
  otherCpuSeconds: number | null;
}

/** Runs `fn` and measures its wall time, its children's CPU time and the machine's other load. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ result: T } & Timing> {
  const [cpu0, busy0, own0] = [childCpuSeconds(), machineBusySeconds(), ownCpuSeconds()];
  const t0 = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const [cpu1, busy1, own1] = [childCpuSeconds(), machineBusySeconds(), ownCpuSeconds()];
  const cpuSeconds = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  const otherCpuSeconds =
    cpuSeconds === null || busy0 === null || busy1 === null
      ? null
      : Math.max(0, busy1 - busy0 - cpuSeconds - (own1 - own0));
  return { result, wallSeconds, cpuSeconds, otherCpuSeconds };
}

/**
 * Waits (up to `maxWaitSeconds`) until the machine is quiet: less than `maxBusyShare` of all cores busy
 * over one second. Returns the seconds waited. Other work on a shared machine is the main source of noise.
 */
export async function waitForQuiet(maxBusyShare = 0.15, maxWaitSeconds = 30): Promise<number> {
  const cores = availableParallelism();
  const t0 = performance.now();
  for (;;) {
    const b0 = machineBusySeconds();
    await new Promise((r) => setTimeout(r, 1000));
    const b1 = machineBusySeconds();
    const waited = (performance.now() - t0) / 1000;
    if (b0 === null || b1 === null || (b1 - b0) / cores < maxBusyShare || waited >= maxWaitSeconds) {
      return waited;
    }
  }
}

/** Decoded video frames (ffprobe -count_frames) and the container's duration. */
export async function probeOutput(path: string): Promise<{ frames: number; durationSeconds: number }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames:format=duration',
    '-of',
    'json',
    path,
  ]);
  const parsed = JSON.parse(stdout) as {
    streams?: Array<{ nb_read_frames?: string }>;
    format?: { duration?: string };
  };
  return {
    frames: Number(parsed.streams?.[0]?.nb_read_frames ?? NaN),
    durationSeconds: Number(parsed.format?.duration ?? NaN),
  };
}

export async function ffmpegVersion(): Promise<string> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-version']);
  return stdout.split('\n')[0]?.trim() ?? 'unknown';
}

export async function gitCommit(): Promise<string | null> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--short', 'HEAD']);
    const { stdout: dirty } = await run('git', ['status', '--porcelain', '--untracked-files=no']);
    return stdout.trim() + (dirty.trim() ? ' (uncommitted changes)' : '');
  } catch {
    return null;
  }
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

export const min = (xs: readonly number[]): number => Math.min(...xs);

/** Linear-interpolated quantile (q in [0, 1]); the median of two values is their mean. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = sorted(xs);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Least-squares line through two or more points: y = fixed + perUnit × x. */
export function fitLine(points: ReadonlyArray<{ x: number; y: number }>): { fixed: number; perUnit: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const perUnit = sxx > 0 ? sxy / sxx : 0;
  return { fixed: my - perUnit * mx, perUnit };
}
