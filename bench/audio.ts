/**
 * Audio scaling: the mix of 15 s clips with 1 s crossfades over 60 s … 3600 s timelines, three ways in
 * the same run, alternating:
 *   before  — one ffmpeg over the whole timeline: every clip delayed from 0 and summed by one amix (the
 *             former single pass's audio, written out here; its cost grows faster than the duration)
 *   chain   — today's single pass (compileRender's audio): each track one chain, crossfading only the
 *             overlaps (render/audio-chain.ts); its samples are compared with `before`'s
 *   parts   — today's chunked path: AAC parts of ~18 s, each mixing only the clips that cross it
 *             (measured: every part up to 300 s, a spread of 6 parts beyond). Run side by side, the
 *             audio's critical path is the slowest part; run one after another, their sum.
 * and the planner's audio estimates (a single pass, one part) against what was measured. Written to results/audio-latest.{json,md}; run alone with `npm run bench -- --audio-only`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEdit } from '../lambdas/core/intake/parse-edit.js';
import { renderAacPart } from '../lambdas/core/engine/chunks.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import { runFfmpeg } from '../lambdas/core/media/ffmpeg.js';
import { LocalSourceResolver } from '../lambdas/core/media/sources.js';
import { audioSeconds, complexity } from '../lambdas/core/plan/cost.js';
import { planRender } from '../lambdas/core/plan/planner.js';
import { planAudioParts } from '../lambdas/core/render/audio-parts.js';
import type { CompileInput } from '../lambdas/core/render/compile.js';
import { compileRender } from '../lambdas/core/render/compile.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { median, timed } from './measure.js';

const exec = promisify(execFile);

export interface AudioCase {
  seconds: number;
  clips: number;
  beforeSeconds: number;
  /** Today's single pass of the same audio (one chain per track), median of the same runs, alternating. */
  chainSeconds: number;
  /** ffmpeg's CPU seconds (user + system), medians: less sensitive than wall time to a loaded machine. */
  beforeCpuSeconds: number | null;
  chainCpuSeconds: number | null;
  /** Chain vs before, decoded: largest sample difference and the difference's RMS relative to the signal's (dB). */
  chainMaxDiff: number;
  chainRelRmsDb: number;
  /** The parts one after another (measured, or median × count where only a spread was measured). */
  partsTotalSeconds: number;
  parts: number;
  partsMeasured: number;
  /** The slowest measured part: the audio's critical path when parts run in parallel. */
  longestPartSeconds: number;
  medianPartSeconds: number;
  /** The planner's estimates for the single pass's audio and for one part. */
  estimateSingleSeconds: number;
  estimatePartSeconds: number;
}

export interface AudioResults {
  generatedAt: string;
  loadAverage: number[];
  cases: AudioCase[];
  /** |estimate − actual| / actual over the single-pass and part estimates of every case. */
  medianAbsRelativeError: number;
  p90AbsRelativeError: number;
}

const CLIP = 15;
const STEP = 14;

/** The timeline: clips of 15 s every 14 s (1 s crossfades), alternating two AAC sources, over a picture. */
function editOf(seconds: number) {
  const clips = [];
  for (let start = 0; start + CLIP <= seconds; start += STEP)
    clips.push({
      asset: { type: 'audio', src: clips.length % 2 ? 'b.m4a' : 'a.m4a', trim: 0.5 },
      start,
      length: CLIP,
    });
  // A track holds at most 200 clips (maxClipsPerTrack): an hour's 257 go on two, each crossfading its own.
  const tracks = [];
  for (let i = 0; i < clips.length; i += 200) tracks.push({ clips: clips.slice(i, i + 200) });
  return parseEdit({
    timeline: {
      tracks: [
        ...tracks,
        { clips: [{ asset: { type: 'image', src: 'p.png' }, start: 0, length: clips.at(-1)!.start + CLIP }] },
      ],
    },
    output: { format: 'mp4', resolution: 'hd', fps: 30 },
  });
}

/** The former compiler's audio graph for the same clips: one amix over every clip delayed from 0. */
function beforeArgs(input: CompileInput, dir: string, output: string): string[] {
  const clips = input.timeline.tracks.flatMap((t) => t.filter((c) => c.clip.asset.type === 'audio'));
  const total = Math.round(input.timeline.duration * 48_000);
  const args: string[] = ['-hide_banner', '-nostdin', '-y'];
  const chains = [
    `anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end_sample=${total}[base]`,
  ];
  clips.forEach((c, i) => {
    const a = c.clip.asset as { src: string; trim?: number };
    args.push('-ss', String(a.trim ?? 0), '-t', String(c.length + 0.5), '-vn', '-i', join(dir, a.src));
    const fades = [
      clips.some((o) => o !== c && o.trackIndex === c.trackIndex && o.end > c.start && o.start < c.start)
        ? 'afade=t=in:st=0:d=1:curve=tri'
        : '',
      clips.some((o) => o !== c && o.trackIndex === c.trackIndex && o.start < c.end && o.start > c.start)
        ? `afade=t=out:st=${c.length - 1}:d=1:curve=tri`
        : '',
    ].filter(Boolean);
    const delay = Math.round(c.start * 48_000);
    chains.push(
      `[${i}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB,atrim=end_sample=${Math.round(c.length * 48_000)},volume=volume=1${fades.length ? `,${fades.join(',')}` : ''}${delay ? `,adelay=delays=${delay}S:all=1` : ''}[c${i}]`,
    );
  });
  chains.push(
    `[base]${clips.map((_, i) => `[c${i}]`).join('')}amix=inputs=${clips.length + 1}:duration=first:dropout_transition=0:normalize=0[out]`,
  );
  return [
    ...args,
    '-filter_complex',
    chains.join(';'),
    '-map',
    '[out]',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-ar',
    '48000',
    output,
  ];
}

/** Decoded stereo float samples of `file` over [from, from + seconds). */
async function pcm(file: string, from: number, seconds: number): Promise<Float32Array> {
  const { stdout } = await exec(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(from),
      '-t',
      String(seconds),
      '-i',
      file,
      '-ac',
      '2',
      '-ar',
      '48000',
      '-f',
      'f32le',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  const b = stdout as unknown as Buffer;
  return new Float32Array(b.buffer, b.byteOffset, Math.floor(b.length / 4));
}

/**
 * The chain's samples against the former mix's: 20 s windows at the start, the middle and the end (an
 * hour of float PCM is 1.4 GB), largest difference and the difference's RMS relative to the signal's.
 */
async function compareMixes(a: string, b: string, seconds: number) {
  let maxDiff = 0;
  let diff = 0;
  let signal = 0;
  for (const from of [0, Math.max(0, seconds / 2 - 10), Math.max(0, seconds - 21)]) {
    const [x, y] = await Promise.all([pcm(a, from, 20), pcm(b, from, 20)]);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const d = x[i]! - y[i]!;
      maxDiff = Math.max(maxDiff, Math.abs(d));
      diff += d * d;
      signal += x[i]! * x[i]!;
    }
  }
  return { maxDiff, relRmsDb: 10 * Math.log10(diff / signal) };
}

const absErr = (est: number, actual: number) => Math.abs(est - actual) / actual;

export async function audioSection(opts: {
  seconds?: number[];
  log: (s: string) => void;
  ffmpeg1?: string | null;
}): Promise<AudioResults> {
  const { log } = opts;
  const durations = opts.seconds ?? [60, 300, 1800, 3600];
  const dir = await mkdtemp(join(tmpdir(), 'cutline-bench-audio-'));
  try {
    // Two AAC tones (AAC decoding is what real clips cost) and a picture for the video track.
    for (const [name, f] of [
      ['a.m4a', 440],
      ['b.m4a', 660],
    ] as const)
      await runFfmpeg([
        '-hide_banner',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `sine=f=${f}:r=48000:d=16`,
        '-ac',
        '2',
        '-c:a',
        'aac',
        '-b:a',
        '192k',
        join(dir, name),
      ]);
    await runFfmpeg([
      '-hide_banner',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=64x36',
      '-frames:v',
      '1',
      join(dir, 'p.png'),
    ]);
    const resolver = new LocalSourceResolver({ mediaRoot: dir, baseDir: dir, maxSourceBytes: 1e9 });
    const cases: AudioCase[] = [];
    const errors: number[] = [];
    for (const seconds of durations) {
      const input = await prepareRender(editOf(seconds), { resolver });
      const out = join(dir, 'out');
      await mkdir(out, { recursive: true });
      // Once beyond 300 s: the hour's single mix takes minutes.
      const reps = seconds <= 300 ? 2 : 1;
      const b: number[] = [];
      const ch: number[] = [];
      const chainOut = join(out, 'chain.m4a');
      const chain = compileRender(input, { output: chainOut, streams: 'audio', threads: 1, part: true });
      const bCpu: number[] = [];
      const chCpu: number[] = [];
      for (let r = 0; r < reps; r++) {
        const tb = await timed(() => runFfmpeg(beforeArgs(input, dir, join(out, 'before.m4a')), {}));
        const tc = await timed(() => runFfmpeg(chain.args, {}));
        b.push(tb.wallSeconds);
        ch.push(tc.wallSeconds);
        if (tb.cpuSeconds !== null) bCpu.push(tb.cpuSeconds);
        if (tc.cpuSeconds !== null) chCpu.push(tc.cpuSeconds);
      }
      const same = await compareMixes(join(out, 'before.m4a'), chainOut, seconds);
      const totalSamples = Math.round(input.timeline.duration * 48_000);
      const count = Math.min(200, Math.max(1, Math.round(seconds / 18)));
      const parts = planAudioParts(totalSamples, count);
      const pick =
        parts.length <= 17
          ? parts
          : [
              0,
              1,
              Math.floor(parts.length / 3),
              Math.floor(parts.length / 2),
              parts.length - 2,
              parts.length - 1,
            ].map((i) => parts[i]!);
      const partTimes: number[] = [];
      const plan = { window: { startFrame: 0, endFrame: Math.round(input.timeline.duration * 30) } };
      for (const p of pick)
        partTimes.push((await timed(() => renderAacPart(input, plan, p, out, { threads: 1 }))).wallSeconds);
      const c = complexity(input.edit, input.timeline);
      const estimateSingle = audioSeconds(seconds, c.audioSources + 1);
      const chunked = planRender(input, { maxConcurrency: count, maxChunks: 200, minChunkSeconds: 1 });
      const estimatePart = chunked.audio?.estimatedSeconds ?? NaN;
      const row: AudioCase = {
        seconds,
        clips: input.timeline.tracks.flat().filter((c) => c.clip.asset.type === 'audio').length,
        beforeSeconds: median(b),
        chainSeconds: median(ch),
        beforeCpuSeconds: bCpu.length ? median(bCpu) : null,
        chainCpuSeconds: chCpu.length ? median(chCpu) : null,
        chainMaxDiff: same.maxDiff,
        chainRelRmsDb: same.relRmsDb,
        partsTotalSeconds:
          pick.length === parts.length
            ? partTimes.reduce((x, y) => x + y, 0)
            : median(partTimes) * parts.length,
        parts: parts.length,
        partsMeasured: pick.length,
        longestPartSeconds: Math.max(...partTimes),
        medianPartSeconds: median(partTimes),
        estimateSingleSeconds: estimateSingle,
        estimatePartSeconds: estimatePart,
      };
      errors.push(absErr(estimateSingle, row.beforeSeconds), absErr(estimatePart, row.medianPartSeconds));
      cases.push(row);
      log(
        `audio ${seconds} s (${row.clips} clips): one mix ${row.beforeSeconds.toFixed(2)} s, chain ${row.chainSeconds.toFixed(2)} s (CPU ${row.beforeCpuSeconds?.toFixed(2)} s vs ${row.chainCpuSeconds?.toFixed(2)} s; max diff ${row.chainMaxDiff.toFixed(4)}, ${row.chainRelRmsDb.toFixed(1)} dB), ${row.parts} parts: ${row.medianPartSeconds.toFixed(2)} s each (max ${row.longestPartSeconds.toFixed(2)}), ${row.partsTotalSeconds.toFixed(2)} s in all`,
      );
      await rm(out, { recursive: true, force: true });
    }
    const sorted = [...errors].sort((x, y) => x - y);
    return {
      generatedAt: new Date().toISOString(),
      loadAverage: loadavg(),
      cases,
      medianAbsRelativeError: median(sorted),
      p90AbsRelativeError: sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)]!,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const s = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(d));
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function audioMarkdown(r: AudioResults): string {
  const lines = [
    '# Audio scaling (`npm run bench -- --audio-only`)',
    '',
    `${r.generatedAt}, load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' / ')}. 15 s AAC clips every 14 s (1 s crossfades), stereo 48 kHz, AAC 192 kb/s, one ffmpeg thread; wall seconds (median of 2 up to 300 s, else one run).`,
    '',
    '| timeline | clips | before: one amix of the whole timeline | today: one pass, a chain per track | before / chain | CPU s: before / chain | chain vs before: max diff, relative RMS | parts (~18 s) | one part, median (max) | parts side by side: before / slowest part | parts one after another (sum) | before / sum | planner: one mix / one part |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.cases.map(
      (c) =>
        `| ${c.seconds} s | ${c.clips} | ${s(c.beforeSeconds)} s | ${s(c.chainSeconds)} s | ${s(c.beforeSeconds / c.chainSeconds, 1)}× | ${s(c.beforeCpuSeconds)} / ${s(c.chainCpuSeconds)} | ${s(c.chainMaxDiff, 4)}, ${s(c.chainRelRmsDb, 1)} dB | ${c.parts} (${c.partsMeasured} measured) | ${s(c.medianPartSeconds)} s (${s(c.longestPartSeconds)} s) | ${s(c.beforeSeconds / c.longestPartSeconds, 1)}× | ${s(c.partsTotalSeconds)} s | ${s(c.beforeSeconds / c.partsTotalSeconds, 2)}× | ${s(c.estimateSingleSeconds)} s / ${s(c.estimatePartSeconds)} s |`,
    ),
    '',
    `Planner audio estimates vs measured (single pass and one part, every case): median |error| **${pct(r.medianAbsRelativeError)}**, p90 **${pct(r.p90AbsRelativeError)}**.`,
    '',
  ];
  return lines.join('\n');
}

export async function writeAudioResults(dir: string, r: AudioResults): Promise<void> {
  await writeFile(join(dir, 'audio-latest.json'), `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(join(dir, 'audio-latest.md'), audioMarkdown(r));
}
