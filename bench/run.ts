/**
 * cutline bench: engine vs a hand-written ffmpeg command, chunk scaling with 1-thread workers, and the
 * planner's estimate error. Writes bench/results/<timestamp>.json, latest.json and latest.md.
 *
 *   npm run bench                      full run (1080p, 30 s / 60 s; ~10–15 min on 2 cores)
 *   npm run bench -- --quick           smoke run (720p, 10 s / 20 s, one repetition; < 2 min)
 *   npm run bench -- --skip-scaling    section 1 and its estimates only
 *   npm run bench -- --workers 1,2,4   worker counts to try (default: 1, 2, 4, 8 up to the core count)
 *   npm run bench -- --reps 3          repetitions of the comparison (default 2, quick 1)
 *   npm run bench -- --sources-only    only the sources section (bench/sources.ts: 1-hour source → 5 clips)
 *   npm run bench -- --skip-sources    everything but the sources section
 *   npm run bench -- --audio-only      only the audio-scaling section (bench/audio.ts: 60 s … 3600 s mixes)
 *   npm run bench -- --faces-only      only local face detection: seconds per minute of source (bench/faces.ts)
 *   npm run bench -- --source-minutes N  length of that section's source (default 60, quick 10)
 *   npm run bench -- --smart-only      only the smart-rendering section (results/smart-latest.*; --smart-reps=N)
 *   npm run bench -- --skip-peers      without the CLI-and-peers section (cutline render vs hand-written
 *                                      ffmpeg vs melt at two x264 presets, and the 5 s title start-up)
 *   npm run bench -- --skip-queue      without the queue section (30 concurrent 8 s SD renders through
 *                                      cutline start vs the same ffmpeg commands; quick: 6 × 4 s)
 *   npm run bench -- --quiet-wait 0    the longest wait for a quiet machine before each measurement
 *                                      (default 30 s, quick 5 s); 0 measures beside other (niced) work
 */
import { audioSection, writeAudioResults } from './audio.js';
import { smartBench, writeSmartResults } from './smart.js';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { parseEdit } from '../lambdas/core/intake/parse-edit.js';
import { renderAacPart, renderAudioPart, renderChunk, stitch } from '../lambdas/core/engine/chunks.js';
import { renderOnThisMachine } from '../lambdas/core/engine/machine-render.js';
import { frameSample } from '../lambdas/core/render/audio.js';
import { planAudioParts } from '../lambdas/core/render/audio-parts.js';
import { hourModel } from './hour-model.js';
import { makePart, measureMoovBuild } from './reference-join.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import { runFfmpeg } from '../lambdas/core/media/ffmpeg.js';
import { LocalSourceResolver } from '../lambdas/core/media/sources.js';
import { planRender } from '../lambdas/core/plan/planner.js';
import { estimateErrorSummary } from '../lambdas/core/ops/stats.js';
import { calibrateThisMachine } from '../local/cost-calibration.js';
import { compileRender, type CompileInput } from '../lambdas/core/render/compile.js';
import { filterGraphThreads } from '../lambdas/core/plan/threads.js';
import { baselineArgs, benchEdit, graphOnlyArgs } from './edits.js';
import { sourcesBench, writeSourcesResults } from './sources.js';
import { peersBench } from './peers.js';
import { queueBench } from './queue.js';
import { makeBenchMedia, type BenchMedia } from './media.js';
import {
  ffmpegVersion,
  fitLine,
  gitCommit,
  median,
  min,
  probeOutput,
  timed,
  waitForQuiet,
  type Timing,
} from './measure.js';
import {
  renderMarkdown,
  type BenchResults,
  type Comparison,
  type EstimateRow,
  type Sample,
  type Scaling,
  type Side,
  type SideResult,
  type ScalingRun,
} from './report.js';

const run = promisify(execFile);
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');
const TARGET_RATIO = 1.1;
/** The projection: a 1-hour source at 25 fps on 200 functions (the planner's maxChunks). */
const HOUR_FRAMES = 90_000;
const FUNCTIONS = 200;

interface Config {
  mode: 'full' | 'quick';
  width: number;
  height: number;
  fps: number;
  compareSeconds: number;
  scalingSeconds: number;
  reps: number;
  workers: number[];
  scaling: boolean;
  /** Section 3 (bench/sources.ts): null when skipped. */
  sourceMinutes: number | null;
  sourcesOnly: boolean;
  queue: boolean;
  peers: boolean;
  smart: boolean;
}

let quietWaitSeconds = 0;
/** Longest wait for a quiet machine before each measurement (a smoke run waits less). */
let quietMaxWaitSeconds = 30;
/** --quiet-wait N: the longest wait for a quiet machine before each measurement (default 30 s, quick 5 s). */
let quietWaitOverride: number | undefined;
/** timed(), after waiting for the machine to be quiet (other work on a shared machine is the main noise). */
async function quietly<T>(fn: () => Promise<T>) {
  quietWaitSeconds += await waitForQuiet(0.15, quietMaxWaitSeconds);
  return timed(fn);
}

class UsageError extends Error {}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function config(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'skip-scaling': { type: 'boolean', default: false },
      'skip-queue': { type: 'boolean', default: false },
      'skip-peers': { type: 'boolean', default: false },
      'skip-smart': { type: 'boolean', default: false },
      workers: { type: 'string' },
      reps: { type: 'string' },
      'sources-only': { type: 'boolean', default: false },
      'skip-sources': { type: 'boolean', default: false },
      'source-minutes': { type: 'string' },
      'quiet-wait': { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const cores = availableParallelism();
  let workers = [1, 2, 4, 8].filter((w) => w <= cores);
  if (values.workers) {
    workers = values.workers.split(',').map((w) => Number(w.trim()));
    if (!workers.length || workers.some((w) => !Number.isInteger(w) || w < 1)) {
      throw new UsageError(
        `--workers must be a comma-separated list of positive integers, not "${values.workers}"`,
      );
    }
  }
  if (values['quiet-wait'] !== undefined) {
    const wait = Number(values['quiet-wait']);
    if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--quiet-wait must be seconds (0 or more)');
    quietWaitOverride = wait;
  }
  const reps = values.reps ? Number(values.reps) : quick ? 1 : 2;
  if (!Number.isInteger(reps) || reps < 1) throw new UsageError('--reps must be a positive integer');
  return {
    mode: quick ? 'quick' : 'full',
    width: quick ? 1280 : 1920,
    height: quick ? 720 : 1080,
    fps: 25,
    compareSeconds: quick ? 10 : 30,
    scalingSeconds: quick ? 20 : 60,
    reps,
    workers: [...new Set(workers)].sort((a, b) => a - b),
    scaling: !values['skip-scaling'],
    sourceMinutes: values['skip-sources'] ? null : sourceMinutes(values['source-minutes'], quick),
    sourcesOnly: values['sources-only'] ?? false,
    queue: !values['skip-queue'],
    peers: !values['skip-peers'],
    smart: !values['skip-smart'],
  };
}

function sourceMinutes(v: string | undefined, quick: boolean): number {
  const minutes = v ? Number(v) : quick ? 10 : 60;
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new UsageError('--source-minutes must be a positive integer');
  return minutes;
}

/** Section 3, written to its own results (sources-latest.json / .md). */
async function sourcesSection(minutes: number): Promise<void> {
  const md = await writeSourcesResults(await sourcesBench({ minutes, log }));
  process.stdout.write(`${md}\n`);
  log(`wrote ${join(RESULTS_DIR, 'sources-latest')}.md and .json`);
}

const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const printable = (args: readonly string[], media: BenchMedia) =>
  `ffmpeg ${args.map((a) => shellQuote(a.replace(/\n/g, ''))).join(' ')}`.split(media.dir).join('$M');

async function prepare(media: BenchMedia, seconds: number): Promise<{ input: CompileInput } & Timing> {
  const resolver = new LocalSourceResolver({
    mediaRoot: media.dir,
    baseDir: media.dir,
    maxSourceBytes: 1e10,
  });
  const t = await timed(() => prepareRender(parseEdit(benchEdit(media, seconds)), { resolver }));
  return { input: t.result, ...t };
}

/** Section 1: alternating hand-written / cutline single-pass renders of the same edit. */
async function compare(
  cfg: Config,
  media: BenchMedia,
  work: string,
  estimates: EstimateRow[],
): Promise<Comparison> {
  const duration = cfg.compareSeconds;
  const { input, wallSeconds: prepareSeconds } = await prepare(media, duration);
  const out = (side: Side) => join(work, `compare-${side}.mp4`);
  // What renderPrepared runs (its filter threads too), for the graph-only row and the printed command.
  const compiled = compileRender(input, {
    output: out('cutline'),
    filterThreads: filterGraphThreads(availableParallelism()),
  });
  const hand: Record<Exclude<Side, 'cutline'>, string[]> = {
    baseline: baselineArgs(media, duration, out('baseline')),
    naive: baselineArgs(media, duration, out('naive'), 'xfade-whole'),
  };
  const cores = availableParallelism();
  const samples: Record<Side, Sample[]> = { baseline: [], cutline: [], naive: [] };
  const graphOnly: Record<Side, Sample[]> = { baseline: [], cutline: [], naive: [] };
  const record = (list: Sample[], kind: Side, rep: number, t: Timing, estimatedSeconds?: number) => {
    list.push({
      kind,
      rep,
      wallSeconds: t.wallSeconds,
      cpuSeconds: t.cpuSeconds,
      otherCpuSeconds: t.otherCpuSeconds,
      estimatedSeconds,
    });
    log(
      `compare rep ${rep + 1}: ${list === graphOnly[kind] ? 'graph only, ' : ''}${kind} ${t.wallSeconds.toFixed(2)} s`,
    );
  };
  for (let rep = 0; rep < cfg.reps; rep++) {
    record(samples.baseline, 'baseline', rep, await quietly(() => runFfmpeg(hand.baseline)));
    // concurrency 1: the plan then assumes one worker using every core, as the single pass does.
    const c = await quietly(() =>
      renderOnThisMachine(input, { output: out('cutline'), chunks: 1, concurrency: 1 }),
    );
    const est = c.result.plan.estimatedSeconds;
    record(samples.cutline, 'cutline', rep, c, est);
    estimates.push(row(`compare: single pass, ${cores} threads, rep ${rep + 1}`, true, est, c.wallSeconds));
    record(samples.naive, 'naive', rep, await quietly(() => runFfmpeg(hand.naive)));
  }
  for (let rep = 0; rep < cfg.reps; rep++) {
    record(graphOnly.baseline, 'baseline', rep, await quietly(() => runFfmpeg(graphOnlyArgs(hand.baseline))));
    record(graphOnly.cutline, 'cutline', rep, await quietly(() => runFfmpeg(graphOnlyArgs(compiled.args))));
    record(graphOnly.naive, 'naive', rep, await quietly(() => runFfmpeg(graphOnlyArgs(hand.naive))));
  }
  const expected = Math.round(duration * cfg.fps);
  const side = async (kind: Side, label: string, args: string[], graph: string): Promise<SideResult> => {
    const walls = samples[kind].map((x) => x.wallSeconds);
    const cpus = samples[kind].map((x) => x.cpuSeconds).filter((x): x is number => x !== null);
    const probe = await probeOutput(out(kind));
    return {
      label,
      samples: samples[kind],
      graphOnly: graphOnly[kind],
      min: min(walls),
      median: median(walls),
      cpuMedian: cpus.length ? median(cpus) : null,
      graphOnlyMedian: median(graphOnly[kind].map((x) => x.wallSeconds)),
      frames: probe.frames,
      durationSeconds: probe.durationSeconds,
      command: printable(args, media),
      graph,
    };
  };
  const graphOf = (args: string[]) => args[args.indexOf('-filter_complex') + 1]!;
  const baseline = await side(
    'baseline',
    'hand-written ffmpeg (xfade on the overlap only)',
    hand.baseline,
    graphOf(hand.baseline),
  );
  const cutline = await side('cutline', 'cutline single pass', compiled.args, compiled.graph);
  const naive = await side(
    'naive',
    'hand-written, naive (xfade over all of track A)',
    hand.naive,
    graphOf(hand.naive),
  );
  const ratioMedian = cutline.median / baseline.median;
  return {
    width: cfg.width,
    height: cfg.height,
    fps: cfg.fps,
    durationSeconds: duration,
    reps: cfg.reps,
    expectedFrames: expected,
    framesMatch: [baseline, cutline, naive].every((x) => x.frames === expected),
    baseline,
    cutline: { ...cutline, prepareSeconds },
    naive,
    ratioMedian,
    ratioMin: cutline.min / baseline.min,
    target: TARGET_RATIO,
    withinTarget: ratioMedian <= TARGET_RATIO,
  };
}

function row(
  render: string,
  endToEnd: boolean,
  estimatedSeconds: number,
  actualSeconds: number,
): EstimateRow {
  return {
    render,
    endToEnd,
    estimatedSeconds,
    actualSeconds,
    relativeError: (estimatedSeconds - actualSeconds) / actualSeconds,
  };
}

/** Sets environment variables for the length of `fn` (renderOnThisMachine reads TMPDIR and CUTLINE_FFMPEG per call). */
async function withEnv<T>(vars: Record<string, string | null>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v !== null) process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * An ffmpeg wrapper pinned to the first `cores` CPUs (taskset), so "W workers" really get W cores and a
 * 1-thread worker really gets one (cutline's `threads` limits the encoder and the filter graph, not the
 * decoders). Null where taskset is missing or refuses, and the runs are then not pinned.
 */
async function pinnedFfmpeg(dir: string, cores: number): Promise<string | null> {
  const list = cores === 1 ? '0' : `0-${cores - 1}`;
  try {
    await run('taskset', ['-c', list, 'true']);
  } catch {
    return null;
  }
  const path = join(dir, `ffmpeg-cpus-${list}.sh`);
  const bin = shellQuote(process.env.CUTLINE_FFMPEG ?? 'ffmpeg');
  await writeFile(path, `#!/bin/sh\nexec taskset -c ${list} ${bin} "$@"\n`, { mode: 0o755 });
  return path;
}

/** Section 2: 1-thread single pass vs chunked renders on W 1-thread workers, and the 1-hour projection. */
async function scaling(
  cfg: Config,
  media: BenchMedia,
  work: string,
  estimates: EstimateRow[],
): Promise<Scaling> {
  const duration = cfg.scalingSeconds;
  const { input } = await prepare(media, duration);
  const out = join(work, 'scaling.mp4');
  const frames = Math.round(duration * cfg.fps);
  const cores = availableParallelism();
  const pin = async (n: number) => pinnedFfmpeg(work, Math.min(n, cores));
  const oneCore = await pin(1);
  const jobsDir = join(work, 'jobs');
  await mkdir(jobsDir, { recursive: true });

  const measure = async (p: { workers: number; chunks: number; pinned: boolean; keepWork?: boolean }) => {
    const ffmpeg = p.pinned ? await pin(p.workers) : null;
    // renderOnThisMachine puts its chunks in mkdtemp(scratchRoot()/chunks-), scratchRoot() being
    // $TMPDIR/cutline: a private TMPDIR makes a kept one easy to find.
    const scratch = join(jobsDir, 'cutline');
    const before = new Set(await readdir(scratch).catch(() => []));
    const r = await withEnv({ TMPDIR: jobsDir, CUTLINE_FFMPEG: ffmpeg }, () =>
      quietly(() =>
        renderOnThisMachine(input, {
          output: out,
          chunks: p.chunks,
          concurrency: p.workers,
          threadsPerWorker: 1,
          keepWork: p.keepWork,
        }),
      ),
    );
    const added = (await readdir(scratch).catch(() => [])).filter(
      (d) => !before.has(d) && d.startsWith('chunks-'),
    );
    return { ...r, keptDir: p.keepWork && added.length === 1 ? join(scratch, added[0]!) : null, ffmpeg };
  };
  const scalingRun = (
    label: string,
    p: { workers: number; chunks: number },
    r: Timing & { result: { plan: { estimatedSeconds: number } }; ffmpeg: string | null },
    refWall: number,
  ): ScalingRun => {
    const speedup = refWall / r.wallSeconds;
    const result: ScalingRun = {
      label,
      workers: p.workers,
      chunks: p.chunks,
      threadsPerWorker: 1,
      pinnedCores: r.ffmpeg ? Math.min(p.workers, cores) : null,
      wallSeconds: r.wallSeconds,
      cpuSeconds: r.cpuSeconds,
      otherCpuSeconds: r.otherCpuSeconds,
      speedup,
      efficiency: speedup / p.workers,
      estimatedSeconds: r.result.plan.estimatedSeconds,
    };
    estimates.push(row(`scaling: ${label}`, true, result.estimatedSeconds, result.wallSeconds));
    log(`scaling ${label}: ${r.wallSeconds.toFixed(2)} s, speedup ${speedup.toFixed(2)}×`);
    return result;
  };

  const refRun = await measure({ workers: 1, chunks: 1, pinned: true });
  const reference = scalingRun(
    `single pass, 1 thread${refRun.ffmpeg ? ' on 1 core' : ''} (reference)`,
    { workers: 1, chunks: 1 },
    refRun,
    refRun.wallSeconds,
  );
  const runs: ScalingRun[] = [];
  if (oneCore) {
    const free = await measure({ workers: 1, chunks: 1, pinned: false });
    runs.push(
      scalingRun(
        'single pass, threadsPerWorker 1, not pinned',
        { workers: 1, chunks: 1 },
        free,
        reference.wallSeconds,
      ),
    );
  }
  const plans: Array<{ workers: number; chunks: number }> = [];
  for (const w of cfg.workers) {
    if (w === 1) plans.push({ workers: 1, chunks: 2 });
    else plans.push({ workers: w, chunks: w }, { workers: w, chunks: 2 * w });
  }
  // The stitch is measured on the chunk files of the run with the most chunks.
  const keep = plans.reduce((a, b) => (b.chunks > a.chunks ? b : a), plans[0]!);
  let keptDir: string | null = null;
  for (const p of plans) {
    const r = await measure({ ...p, pinned: true, keepWork: p === keep });
    if (p === keep) keptDir = r.keptDir;
    const on = r.ffmpeg
      ? ` on ${Math.min(p.workers, cores)} core${Math.min(p.workers, cores) > 1 ? 's' : ''}`
      : '';
    const label = `chunked, ${p.workers} worker${p.workers > 1 ? 's' : ''}${on}, ${p.chunks} chunks`;
    runs.push(scalingRun(label, p, r, reference.wallSeconds));
  }

  // The projection's terms, each measured alone, on one core where taskset allows (one function = one vCPU).
  const spf = planRender(input, { maxConcurrency: 1, threadsPerWorker: 1 }).secondsPerFrame;
  const perFunction = HOUR_FRAMES / FUNCTIONS;
  const chunkPoints: Array<{ frames: number; seconds: number; cpuSeconds: number | null }> = [];
  const chunkDir = await mkdtemp(join(work, 'chunk-'));
  const single = <T>(fn: () => Promise<T>) => withEnv({ CUTLINE_FFMPEG: oneCore }, () => quietly(fn));
  for (const n of [Math.min(perFunction, frames), Math.min(Math.round(perFunction / 3), frames)]) {
    const startFrame = Math.floor((frames - n) / 2);
    const chunk = {
      index: chunkPoints.length,
      startFrame,
      endFrame: startFrame + n,
      target: 'local' as const,
      estimatedSeconds: n * spf,
      estimatedScratchBytes: 0,
    };
    const t = await single(() => renderChunk(input, chunk, chunkDir, { threads: 1 }));
    chunkPoints.push({ frames: n, seconds: t.wallSeconds, cpuSeconds: t.cpuSeconds });
    estimates.push(
      row(`scaling: one chunk of ${n} frames, 1 thread`, false, chunk.estimatedSeconds, t.wallSeconds),
    );
    log(`chunk of ${n} frames, 1 thread: ${t.wallSeconds.toFixed(2)} s`);
  }
  const chunkFit = fitLine(chunkPoints.map((p) => ({ x: p.frames, y: p.seconds })));
  const chunkSeconds =
    chunkPoints[0]!.frames === perFunction
      ? chunkPoints[0]!.seconds
      : chunkFit.fixed + chunkFit.perUnit * perFunction;

  const plan = planRender(input, { maxConcurrency: 1, threadsPerWorker: 1 }, { chunks: 2, local: true });
  const audioPoints: Array<{ seconds: number; wall: number }> = [];
  for (const part of [1, 0.5]) {
    const window = { startFrame: 0, endFrame: Math.round(frames * part) };
    const t = await single(() => renderAudioPart(input, { ...plan, window }, chunkDir, { threads: 1 }));
    audioPoints.push({ seconds: window.endFrame / cfg.fps, wall: t.wallSeconds });
  }
  estimates.push(
    row(
      'scaling: audio part (whole timeline)',
      false,
      plan.audio?.estimatedSeconds ?? NaN,
      audioPoints[0]!.wall,
    ),
  );
  const audioFit = fitLine(audioPoints.map((p) => ({ x: p.seconds, y: p.wall })));
  // Today's chunked audio: one AAC part of the hour's share (18 s), mixing only what crosses it.
  const totalSamples = frameSample(frames, { num: cfg.fps, den: 1 });
  const partPlan = planAudioParts(totalSamples, Math.max(1, Math.round(duration / 18)));
  const midPart = partPlan[Math.floor(partPlan.length / 2)]!;
  const partRun = await single(() => renderAacPart(input, plan, midPart, chunkDir, { threads: 1 }));
  const audioPartBytes = (
    await stat(join(chunkDir, 'audio-' + String(midPart.index).padStart(4, '0') + '.aac'))
  ).size;
  const audioSeconds = audioFit.fixed + audioFit.perUnit * (HOUR_FRAMES / cfg.fps);

  const stitchPoints: Array<{ frames: number; seconds: number }> = [];
  if (!keptDir) throw new Error('could not find the kept chunk directory to measure the stitch');
  const kept = keptDir;
  const names = (await readdir(kept)).filter((f) => /^chunk-\d+\.mp4$/.test(f)).sort();
  // The whole-window mix measured above (the kept run's audio is in parts sized for its own length).
  const audioName = (await readdir(chunkDir)).find((f) => f.startsWith('audio.'));
  const chunkFrames = frames / keep.chunks;
  // Longer stitches reuse the same chunk files in a loop (the concat demuxer does not mind).
  for (const k of [1, names.length, names.length * 4, names.length * 12]) {
    const files = Array.from({ length: k }, (_, i) => join(kept, names[i % names.length]!));
    const t = await single(() =>
      stitch(
        input,
        files,
        audioName ? { file: join(chunkDir, audioName) } : null,
        join(work, 'stitch.mp4'),
        kept,
      ),
    );
    stitchPoints.push({ frames: Math.round(k * chunkFrames), seconds: t.wallSeconds });
  }
  const keptBytes = await Promise.all(names.map(async (f) => (await stat(join(kept, f))).size));
  const bytesPerFrame = keptBytes.reduce((a, b) => a + b, 0) / frames;
  await rm(kept, { recursive: true, force: true });
  await rm(chunkDir, { recursive: true, force: true });
  const stitchFit = fitLine(stitchPoints.map((p) => ({ x: p.frames, y: p.seconds })));
  const stitchSeconds = stitchFit.fixed + stitchFit.perUnit * HOUR_FRAMES;
  const singlePassPerFrame = reference.wallSeconds / frames;
  // The stitch joins by reference: the header build for 200 parts of 450 frames (bench/reference-join.ts).
  const moov = await measureMoovBuild(await makePart(work));
  const model = hourModel({
    chunkSeconds,
    audioPartSeconds: partRun.wallSeconds,
    audioPartBytes: audioPartBytes * (18 / ((midPart.endSample - midPart.startSample) / 48_000)),
    stitchSeconds,
    chunkBytes: bytesPerFrame * perFunction,
    sourceBytesPerChunk: 2 * bytesPerFrame * (perFunction + cfg.fps),
    moovBuildSeconds: moov.seconds,
    headBytes: moov.headBytes,
  });
  log(`stitch ${stitchSeconds.toFixed(2)} s and audio ${audioSeconds.toFixed(2)} s projected for one hour`);

  return {
    width: cfg.width,
    height: cfg.height,
    fps: cfg.fps,
    durationSeconds: duration,
    frames,
    pinned: oneCore !== null,
    reference,
    runs,
    projection: {
      frames: HOUR_FRAMES,
      functions: FUNCTIONS,
      framesPerFunction: perFunction,
      chunkSeconds,
      perFrameSeconds: chunkSeconds / perFunction,
      chunkFit,
      audioSeconds,
      audioFit,
      stitchSeconds,
      stitchFit,
      stitchPoints,
      audioPoints,
      chunkPoints,
      projectedSeconds: model.result.seconds,
      projectedWithoutAudioSeconds: chunkSeconds + stitchSeconds,
      projectedFromSinglePassSeconds:
        Math.max(singlePassPerFrame * perFunction, audioSeconds) + stitchSeconds,
      model: {
        ...model,
        note: `Audio: one AAC part of ${(midPart.endSample - midPart.startSample) / 48_000} s of this edit (${partRun.wallSeconds.toFixed(2)} s); byte sizes from this run's chunk files (${(bytesPerFrame / 1e3).toFixed(0)} kB/frame), sources read as two streams at that rate with 1 s of seek pre-roll.`,
      },
    },
  };
}

async function main(): Promise<number> {
  const started = Date.now();
  const argv = process.argv.slice(2);
  if (argv.includes('--audio-only')) {
    const listed = argv.find((a) => a.startsWith('--audio-seconds='));
    const seconds = listed
      ? listed.slice('--audio-seconds='.length).split(',').map(Number)
      : argv.includes('--quick')
        ? [60, 300]
        : undefined;
    const audio = await audioSection({ seconds, log });
    await writeAudioResults(RESULTS_DIR, audio);
    log(`wrote ${join(RESULTS_DIR, 'audio-latest.md')}`);
    return 0;
  }
  if (argv.includes('--faces-only')) {
    const { facesSection } = await import('./faces.js');
    await facesSection(log, argv.includes('--quick') ? 20 : 60);
    log(`wrote ${join(RESULTS_DIR, 'faces-latest.md')}`);
    return 0;
  }
  if (argv.includes('--smart-only')) {
    const reps = argv.find((a) => a.startsWith('--smart-reps='));
    const md = await writeSmartResults(
      RESULTS_DIR,
      await smartBench({ reps: reps ? Number(reps.split('=')[1]) : undefined, log }),
    );
    process.stdout.write(`${md}\n`);
    return 0;
  }
  const cfg = config(argv);
  if (cfg.mode === 'quick') quietMaxWaitSeconds = 5;
  if (quietWaitOverride !== undefined) quietMaxWaitSeconds = quietWaitOverride;
  if (cfg.sourcesOnly) {
    await sourcesSection(cfg.sourceMinutes ?? 60);
    return 0;
  }
  const loadAverageStart = loadavg();
  log(
    `${cfg.mode} run: ${cfg.width}×${cfg.height}, compare ${cfg.compareSeconds} s × ${cfg.reps}, scaling ${cfg.scaling ? `${cfg.scalingSeconds} s, W ∈ {${cfg.workers.join(', ')}}` : 'skipped'}`,
  );
  const longest = Math.max(cfg.compareSeconds, cfg.scaling ? cfg.scalingSeconds : 0);
  const media = await makeBenchMedia(
    {
      width: cfg.width,
      height: cfg.height,
      fps: cfg.fps,
      videoSeconds: Math.ceil(longest / 2) + 2,
      musicSeconds: longest + 5,
    },
    log,
  );
  const work = await mkdtemp(join(tmpdir(), 'cutline-bench-'));
  const estimates: EstimateRow[] = [];
  const problems: string[] = [];
  try {
    // This machine's speed against the cost model, as a user's `cutline calibrate` measures it.
    const calibration = (
      await quietly(() =>
        calibrateThisMachine(join(work, 'calibration'), { runs: cfg.mode === 'quick' ? 1 : 3 }),
      )
    ).result;
    log(
      `calibration: costScale ${calibration.costScale} (${calibration.runs.map((x) => x.toFixed(2)).join(', ')} s)`,
    );
    const comparison = await compare(cfg, media, work, estimates);
    if (!comparison.framesMatch) {
      const { baseline: b, cutline: c, naive: n, expectedFrames: e } = comparison;
      problems.push(
        `frame counts differ: hand-written ${b.frames}, cutline ${c.frames}, naive ${n.frames}, expected ${e}`,
      );
    }
    const peers = cfg.peers
      ? await peersBench({ media, duration: cfg.compareSeconds, reps: cfg.reps, work, measure: quietly, log })
      : null;
    const expected = Math.round(cfg.compareSeconds * cfg.fps);
    // The CLI's renders are estimates users meet too (a render of sources probed before: start-up and render).
    for (const p of peers?.presets ?? []) {
      const cli = p.sides.find((x) => x.kind === 'cutline');
      if (cli) estimates.push(row(`peers: cutline render, ${p.name}`, true, p.estimatedSeconds, cli.median));
    }
    for (const p of peers?.presets ?? [])
      for (const side of p.sides)
        if (side.frames !== expected)
          problems.push(`peers (${p.name}): ${side.label} wrote ${side.frames} frames, expected ${expected}`);
    // Smart rendering: its own section and files (results/smart-latest.*), checked like the others.
    const smart = cfg.smart ? await smartBench({ reps: cfg.mode === 'quick' ? 1 : 3, log }) : null;
    if (smart) {
      await mkdir(RESULTS_DIR, { recursive: true });
      await writeSmartResults(RESULTS_DIR, smart);
      for (const side of smart.sides) {
        if (side.frames !== smart.totalFrames)
          problems.push(`smart: ${side.label} wrote ${side.frames} frames, expected ${smart.totalFrames}`);
        if (!side.cleanDecode) problems.push(`smart: ${side.label}'s output does not decode cleanly`);
      }
    }
    const scale = cfg.scaling ? await scaling(cfg, media, work, estimates) : null;
    const queue = cfg.queue
      ? await queueBench({
          renders: cfg.mode === 'quick' ? 6 : 30,
          seconds: cfg.mode === 'quick' ? 4 : 8,
          workers: availableParallelism(),
          reps: 1,
          log,
        })
      : null;
    for (const r of queue?.runs ?? []) {
      if (r.cutline.succeeded !== queue!.renders)
        problems.push(`queue: ${r.cutline.succeeded}/${queue!.renders} renders succeeded`);
      if (r.cutline.maxFfmpeg > queue!.workers)
        problems.push(`queue: ${r.cutline.maxFfmpeg} ffmpeg processes at once on ${queue!.workers} workers`);
    }
    // The same summary /v1/metrics gives over a tenant's jobs (lambdas/core/ops/stats.ts).
    const errors = estimateErrorSummary(estimates.filter((e) => e.endToEnd));
    const calibrated = estimateErrorSummary(
      estimates
        .filter((e) => e.endToEnd)
        .map((e) => ({ ...e, estimatedSeconds: e.estimatedSeconds * calibration.costScale })),
    );
    const cores = cpus();
    const results: BenchResults = {
      version: 1,
      date: new Date().toISOString(),
      mode: cfg.mode,
      argv,
      totalSeconds: (Date.now() - started) / 1000,
      machine: {
        cpuModel: cores[0]?.model.trim() ?? 'unknown',
        cpuCount: cores.length,
        availableParallelism: availableParallelism(),
        totalMemoryGiB: totalmem() / 1024 ** 3,
        platform: `${platform()} ${release()}`,
        node: process.version,
        ffmpeg: await ffmpegVersion(),
        commit: await gitCommit(),
        loadAverageStart,
        loadAverageEnd: loadavg(),
        quietWaitSeconds,
      },
      comparison,
      scaling: scale,
      queue,
      peers,
      estimates: {
        rows: estimates,
        count: errors.count,
        medianAbsRelativeError: errors.medianAbsRelativeError ?? NaN,
        p90AbsRelativeError: errors.p90AbsRelativeError ?? NaN,
        medianRelativeError: errors.medianRelativeError ?? NaN,
        calibrated: {
          costScale: calibration.costScale,
          estimatedSeconds: calibration.estimatedSeconds,
          runs: calibration.runs,
          medianAbsRelativeError: calibrated.medianAbsRelativeError ?? NaN,
          p90AbsRelativeError: calibrated.p90AbsRelativeError ?? NaN,
          medianRelativeError: calibrated.medianRelativeError ?? NaN,
        },
      },
      problems,
    };
    const markdown = renderMarkdown(results);
    await mkdir(RESULTS_DIR, { recursive: true });
    const json = `${JSON.stringify(results, null, 2)}\n`;
    const stamp = results.date.replace(/[:.]/g, '-');
    // A smoke run keeps its own "latest" so it never replaces the full run's numbers.
    const latest = cfg.mode === 'quick' ? 'latest-quick' : 'latest';
    await writeFile(join(RESULTS_DIR, `${stamp}${cfg.mode === 'quick' ? '-quick' : ''}.json`), json);
    await writeFile(join(RESULTS_DIR, `${latest}.json`), json);
    await writeFile(join(RESULTS_DIR, `${latest}.md`), markdown);
    process.stdout.write(`${markdown}\n`);
    log(
      `wrote ${join(RESULTS_DIR, latest)}.md and .json in ${((Date.now() - started) / 60000).toFixed(1)} min`,
    );
    if (cfg.sourceMinutes) await sourcesSection(cfg.sourceMinutes);
    return problems.length ? 1 : 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (usage) {
      log(
        `${(err as Error).message}\nusage: npm run bench -- [--quick] [--skip-scaling] [--skip-queue] [--skip-peers] [--skip-smart | --smart-only] [--workers 1,2,4] [--reps N] [--sources-only | --skip-sources] [--source-minutes N] [--quiet-wait S]`,
      );
      process.exit(2);
    }
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
