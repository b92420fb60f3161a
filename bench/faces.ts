/**
 * Face detection bench: seconds of local face detection (face-api, tiny face detector on the TensorFlow.js
 * WASM backend) per minute of source, beside the baseline of the same ffmpeg sampling without detection,
 * run alternately on a 720p minute of a real photograph of a face moving across the frame. Writes
 * bench/results/faces-latest.{json,md}.
 *
 *   npm run bench -- --faces-only        (or: npx tsx bench/faces.ts)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FACE_API, faceApiDetector, faceSampling } from '../lambdas/core/providers/faces/face-api.js';
import { astronautPng } from '../test/helpers/faces.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const W = 1280;
const H = 720;

/** A minute at 720p: the photograph sweeps left → right → left (a triangle wave), 25 fps. */
function source(seconds: number): string {
  const path = join(tmpdir(), `cutline-bench-faces-${seconds}s.mp4`);
  if (existsSync(path)) return path;
  // A medium shot: the face about a tenth of the frame's width.
  const size = 480;
  const span = W - size;
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=0x606060:s=${W}x${H}:r=25:d=${seconds}`,
    '-loop',
    '1',
    '-i',
    astronautPng(),
    '-filter_complex',
    `[1:v]scale=${size}:${size}[p];[0:v][p]overlay=x='${span}*abs(mod(t/10,2)-1)':y=120:shortest=1,format=yuv420p[v]`,
    '-map',
    '[v]',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    path,
  ]);
  return path;
}

/** The detector's own ffmpeg sampling, decoded and thrown away: what detection adds is the rest. */
function sampleOnly(path: string, seconds: number): number {
  const { fps, width, height } = faceSampling({ durationSeconds: seconds, width: W, height: H });
  const t0 = performance.now();
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    path,
    '-an',
    '-vf',
    `fps=${fps},scale=${width}:${height}:flags=area,format=rgb24`,
    '-f',
    'null',
    '-',
  ]);
  return (performance.now() - t0) / 1000;
}

export interface FacesBench {
  date: string;
  cpu: string;
  loadAverage: number[];
  sourceSeconds: number;
  samples: number;
  samplesWithFace: number;
  runs: Array<{ baselineSeconds: number; detectSeconds: number }>;
  /** Median wall seconds of detection per minute of source (sampling included), and over the baseline. */
  secondsPerMinute: number;
  addedSecondsPerMinute: number;
}

export async function facesSection(log: (s: string) => void = console.log, seconds = 60, reps = 2) {
  const path = source(seconds);
  const detector = faceApiDetector();
  const input = {
    videoPath: path,
    durationSeconds: seconds,
    width: W,
    height: H,
    jobId: 'bench',
  };
  // Load the library, backend and weights once, outside the timings (a worker keeps them loaded).
  await detector.start({ ...input, durationSeconds: 1, videoPath: source(1) });
  const load0 = loadavg();
  const runs: FacesBench['runs'] = [];
  let samples = 0;
  let withFace = 0;
  for (let i = 0; i < reps; i++) {
    const baselineSeconds = sampleOnly(path, seconds);
    const t0 = performance.now();
    const step = await detector.start(input);
    const detectSeconds = (performance.now() - t0) / 1000;
    if (!('track' in step)) throw new Error('face-api answered with a wait');
    samples = step.track.samples.length;
    withFace = step.track.samples.filter((s) => s.faces.length).length;
    runs.push({ baselineSeconds, detectSeconds });
    log(
      `faces: run ${i + 1}: sampling ${baselineSeconds.toFixed(1)} s, detection ${detectSeconds.toFixed(1)} s`,
    );
  }
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const perMinute = 60 / seconds;
  const r = (v: number) => Math.round(v * 10) / 10;
  const result: FacesBench = {
    date: new Date().toISOString(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadAverage: [...load0, ...loadavg()].map((v) => Math.round(v * 100) / 100),
    sourceSeconds: seconds,
    samples,
    samplesWithFace: withFace,
    runs,
    secondsPerMinute: r(median(runs.map((x) => x.detectSeconds)) * perMinute),
    addedSecondsPerMinute: r(median(runs.map((x) => x.detectSeconds - x.baselineSeconds)) * perMinute),
  };
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'faces-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    '# Face detection (local: face-api tiny face detector, TensorFlow.js WASM backend)',
    '',
    `${result.date}, ${result.cpu}, load average ${result.loadAverage.slice(0, 3).join(' / ')} before, ${result.loadAverage.slice(3).join(' / ')} after.`,
    '',
    `Source: ${seconds} s of ${W}×${H} (a photograph of a face sweeping across the frame); sampled at ${FACE_API.fps} fps, ${FACE_API.width} px wide: ${samples} samples, a face found in ${withFace}.`,
    '',
    '| run | sampling only (baseline) | sampling + detection |',
    '| --- | --- | --- |',
    ...runs.map(
      (x, i) => `| ${i + 1} | ${x.baselineSeconds.toFixed(1)} s | ${x.detectSeconds.toFixed(1)} s |`,
    ),
    '',
    `**${result.secondsPerMinute} s per minute of source** (median; ${result.addedSecondsPerMinute} s of it over the sampling alone).`,
    '',
  ].join('\n');
  await writeFile(join(RESULTS, 'faces-latest.md'), md);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await facesSection();
