/**
 * Smart rendering: a trim-and-concat edit (3 × 20 s spans of a 60 s 1080p30 H.264 source made here,
 * keyframes every 2 s, none of the trims on one) rendered three ways in the same run, alternating:
 *   ffmpeg      — hand-written: the three spans trimmed and joined by concat, re-encoded (x264 veryfast CRF 23)
 *   cutline     — renderOnThisMachine with smart rendering (the CLI's path): copies between keyframes
 *   cutline-off — the same with smart rendering off (every frame encoded)
 * Each output is decoded (`-v error`, nothing printed) and its frames counted. Written to
 * results/smart-latest.{json,md}; run alone with `npm run bench -- --smart-only`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseEdit } from '../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import { runFfmpeg } from '../lambdas/core/media/ffmpeg.js';
import { LocalSourceResolver } from '../lambdas/core/media/sources.js';
import { forgetVideoIndexes } from '../lambdas/core/media/video-index.js';
import { median, probeOutput, timed } from './measure.js';

const exec = promisify(execFile);

export interface SmartSide {
  label: string;
  wallSeconds: number[];
  medianSeconds: number;
  frames: number;
  cleanDecode: boolean;
}

export interface SmartResults {
  generatedAt: string;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  source: string;
  spans: Array<{ trim: number; length: number }>;
  copiedFrames: number;
  totalFrames: number;
  sides: SmartSide[];
  /** ffmpeg's median over cutline's (> 1: cutline is faster). */
  speedupVsFfmpeg: number;
  speedupVsCutlineOff: number;
}

const SPANS = [
  { trim: 1.5, length: 20 },
  { trim: 38.2, length: 20 },
  { trim: 10.1, length: 20 },
];

export async function smartBench(opts: {
  reps?: number;
  width?: number;
  height?: number;
  log: (s: string) => void;
}): Promise<SmartResults> {
  const { log } = opts;
  const reps = opts.reps ?? 3;
  const [w, h, fps] = [opts.width ?? 1920, opts.height ?? 1080, 30];
  const loadAverageStart = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'cutline-bench-smart-'));
  try {
    const src = join(dir, 'source.mp4');
    log(`smart: making a 60 s ${w}×${h} ${fps} fps source`);
    await runFfmpeg([
      '-hide_banner',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${w}x${h}:r=${fps}:d=60`,
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:r=48000:d=60',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      String(2 * fps),
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      src,
    ]);
    let start = 0;
    const clips = SPANS.map((s) => {
      const clip = { asset: { type: 'video', src: 'source.mp4', trim: s.trim }, start, length: s.length };
      start += s.length;
      return clip;
    });
    const edit = parseEdit({
      timeline: { tracks: [{ clips }] },
      output: { format: 'mp4', size: { width: w, height: h }, fps },
    });
    const resolver = new LocalSourceResolver({ mediaRoot: dir, baseDir: dir, maxSourceBytes: 1e10 });
    const out = (k: string) => join(dir, `${k}.mp4`);
    const handArgs = [
      '-hide_banner',
      '-nostdin',
      '-y',
      ...SPANS.flatMap((s) => ['-ss', String(s.trim), '-t', String(s.length), '-i', src]),
      '-filter_complex',
      `${SPANS.map((_, i) => `[${i}:v][${i}:a]`).join('')}concat=n=${SPANS.length}:v=1:a=1[v][a]`,
      '-map',
      '[v]',
      '-map',
      '[a]',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(2 * fps),
      '-c:a',
      'aac',
      '-b:a',
      '192k',
      '-movflags',
      '+faststart',
      out('ffmpeg'),
    ];
    let copied = 0;
    const cutline = async (smart: boolean) => {
      forgetVideoIndexes();
      // Probing and keyframe reading are part of the render, as in `cutline render`.
      const input = await prepareRender(edit, { resolver });
      const r = await renderOnThisMachine(input, { output: out(smart ? 'cutline' : 'cutline-off'), smart });
      if (smart)
        copied = (r.smart ?? [])
          .filter((s) => s.kind === 'copy')
          .reduce((n, s) => n + s.endFrame - s.startFrame, 0);
    };
    const runs: Record<string, number[]> = { ffmpeg: [], cutline: [], 'cutline-off': [] };
    for (let rep = 0; rep < reps; rep++) {
      runs.ffmpeg!.push((await timed(() => runFfmpeg(handArgs))).wallSeconds);
      runs.cutline!.push((await timed(() => cutline(true))).wallSeconds);
      runs['cutline-off']!.push((await timed(() => cutline(false))).wallSeconds);
      log(
        `smart rep ${rep + 1}/${reps}: ffmpeg ${runs.ffmpeg!.at(-1)!.toFixed(2)} s, cutline ${runs.cutline!.at(-1)!.toFixed(2)} s, cutline (smart off) ${runs['cutline-off']!.at(-1)!.toFixed(2)} s`,
      );
    }
    const sides: SmartSide[] = [];
    for (const [label, wall] of Object.entries(runs)) {
      const { stderr } = await exec('ffmpeg', ['-v', 'error', '-i', out(label), '-f', 'null', '-']);
      sides.push({
        label,
        wallSeconds: wall,
        medianSeconds: median(wall),
        frames: (await probeOutput(out(label))).frames,
        cleanDecode: stderr.trim() === '',
      });
    }
    const m = (l: string) => sides.find((s) => s.label === l)!.medianSeconds;
    return {
      generatedAt: new Date().toISOString(),
      loadAverageStart,
      loadAverageEnd: loadavg(),
      source: `60 s ${w}×${h} ${fps} fps H.264 (x264 veryfast, keyframe every 2 s) + AAC, made by the bench`,
      spans: SPANS,
      copiedFrames: copied,
      totalFrames: SPANS.reduce((n, s) => n + Math.round(s.length * fps), 0),
      sides,
      speedupVsFfmpeg: m('ffmpeg') / m('cutline'),
      speedupVsCutlineOff: m('cutline-off') / m('cutline'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function smartMarkdown(r: SmartResults): string {
  const la = (x: number[]) => x.map((v) => v.toFixed(2)).join(' / ');
  return [
    '# Smart rendering (`npm run bench -- --smart-only`)',
    '',
    `${r.generatedAt}; load average ${la(r.loadAverageStart)} at the start, ${la(r.loadAverageEnd)} at the end. ${r.source}; the edit: ${r.spans.map((s) => `${s.length} s from ${s.trim} s`).join(', ')}, joined (${r.totalFrames} frames). Runs alternate; wall seconds.`,
    '',
    '| renderer | median | runs | frames | decodes cleanly |',
    '| --- | --- | --- | --- | --- |',
    ...r.sides.map(
      (s) =>
        `| ${s.label} | ${s.medianSeconds.toFixed(2)} s | ${s.wallSeconds.map((x) => x.toFixed(2)).join(', ')} | ${s.frames} | ${s.cleanDecode ? 'yes' : '**no**'} |`,
    ),
    '',
    `cutline copied ${r.copiedFrames} of ${r.totalFrames} frames and encoded the rest. Hand-written ffmpeg / cutline: **${r.speedupVsFfmpeg.toFixed(2)}×**; cutline with smart rendering off / on: **${r.speedupVsCutlineOff.toFixed(2)}×**.`,
    '',
  ].join('\n');
}

export async function writeSmartResults(dir: string, r: SmartResults): Promise<string> {
  await writeFile(join(dir, 'smart-latest.json'), `${JSON.stringify(r, null, 2)}\n`);
  const md = smartMarkdown(r);
  await writeFile(join(dir, 'smart-latest.md'), md);
  return md;
}
