import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseEdit } from '../lambdas/core/intake/parse-edit.js';
import { LocalSourceResolver } from '../lambdas/core/media/sources.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import { machinePlan, renderOnThisMachine } from '../lambdas/core/engine/machine-render.js';
import { cutlineCacheDir } from './cache-dir.js';
import { referenceEdit } from './reference-edit.js';
import { makeReferenceMedia } from './reference-media.js';

/**
 * The cost model (lambdas/core/plan/cost.ts) is fit on one reference CPU; another machine renders the
 * same frames faster or slower (a 2-core EPYC took ~1.5× the Xeon's time for every render of the bench).
 * `cutline calibrate` renders a few seconds of the edit the model is fit on, compares its wall time with
 * the model's estimate,
 * and keeps the ratio (PlanLimits.costScale) for this machine, so `cutline render` and `cutline start`
 * estimate, and write task time limits, at this machine's speed.
 */
export interface Calibration {
  /** Measured wall ÷ the model's estimate (median of the runs). */
  costScale: number;
  estimatedSeconds: number;
  /** Wall seconds of each run (the render alone: sources made and probed before). */
  runs: number[];
  /** What it was measured on: a scale read on another CPU is not used. */
  machine: string;
  measuredAt: string;
}

/** The CPU model and the cores Node may use: what the scale depends on, and cheap to read at start-up. */
export function machineFingerprint(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'} × ${availableParallelism()}`;
}

export function defaultCalibrationFile(): string {
  return join(cutlineCacheDir(), 'calibration.json');
}

/** Pure: the scale of a set of runs against one estimate, kept within what a real machine can be. */
export function costScaleOf(estimatedSeconds: number, runs: readonly number[]): number {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length ? (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2 : NaN;
  const scale = mid / estimatedSeconds;
  if (!Number.isFinite(scale) || scale <= 0) throw new Error('calibration: no usable run to compare');
  return Math.min(10, Math.max(0.1, Math.round(scale * 1000) / 1000));
}

/** This machine's saved scale, or undefined (none saved, unreadable, or measured on another CPU). */
export async function readCostScale(file = defaultCalibrationFile()): Promise<number | undefined> {
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<Calibration>;
    const s = saved.costScale;
    return saved.machine === machineFingerprint() && typeof s === 'number' && s >= 0.1 && s <= 10
      ? s
      : undefined;
  } catch {
    return undefined;
  }
}

export async function saveCalibration(c: Calibration, file = defaultCalibrationFile()): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * Renders `seconds` of the reference edit (the one the model is fit on, local/reference-edit.ts) at
 * 1080p25 `runs` times in `scratchDir` (its media made there first) and returns the scale: ~20 s of a
 * 2-core machine's time at the default 8 s and 3 runs.
 */
export async function calibrateThisMachine(
  scratchDir: string,
  opts: { seconds?: number; runs?: number } = {},
): Promise<Calibration> {
  // The layout's title runs over [2, 8): shorter, and the title alone would set the length.
  const seconds = Math.max(8, opts.seconds ?? 8);
  const runCount = Math.max(1, opts.runs ?? 3);
  const media = await makeReferenceMedia(join(scratchDir, 'media'), {
    width: 1920,
    height: 1080,
    fps: 25,
    videoSeconds: Math.ceil(seconds / 2) + 2,
    musicSeconds: seconds + 2,
  });
  const resolver = new LocalSourceResolver({ mediaRoot: media.dir, baseDir: media.dir, maxSourceBytes: 1e9 });
  const input = await prepareRender(parseEdit(referenceEdit(media, seconds)), { resolver });
  // The model's own estimate of what renderOnThisMachine runs (single pass on every core), unscaled.
  const estimatedSeconds = machinePlan(input, { chunks: 1, planLimits: { costScale: 1 } }).estimatedSeconds;
  const runs: number[] = [];
  const output = join(scratchDir, 'out.mp4');
  for (let i = 0; i < runCount; i++) {
    const started = performance.now();
    await renderOnThisMachine(input, { output, chunks: 1, smart: false });
    runs.push((performance.now() - started) / 1000);
    await rm(output, { force: true });
  }
  return {
    costScale: costScaleOf(estimatedSeconds, runs),
    estimatedSeconds,
    runs,
    machine: machineFingerprint(),
    measuredAt: new Date().toISOString(),
  };
}
