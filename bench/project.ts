/**
 * Recomputes the 1-hour projection of `bench/results/latest.json` with the model (bench/hour-model.ts)
 * from measurements already stored: the chunk and stitch of that run, the slowest audio part of the
 * 3600 s case in `audio-latest.json`, and byte sizes measured now (2 s of 1080p testsrc2 at the bench's
 * x264 settings), and the reference stitch's header build measured now (bench/reference-join.ts). Rewrites
 * latest.json and latest.md; the rest of the results are left as measured.
 *   npx tsx bench/project.ts
 */
import { readFile, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFfmpeg } from '../lambdas/core/media/ffmpeg.js';
import type { AudioResults } from './audio.js';
import { hourModel } from './hour-model.js';
import { makePart, measureMoovBuild } from './reference-join.js';
import { renderMarkdown, type BenchResults } from './report.js';

const RESULTS = join(import.meta.dirname, 'results');

async function bytesPerFrame(width: number, height: number, fps: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'cutline-project-'));
  try {
    const out = join(dir, 'sample.mp4');
    await runFfmpeg([
      '-hide_banner',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${width}x${height}:r=${fps}:d=2`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-g',
      String(2 * fps),
      out,
    ]);
    return (await stat(out)).size / (2 * fps);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const r = JSON.parse(await readFile(join(RESULTS, 'latest.json'), 'utf8')) as BenchResults;
const audio = JSON.parse(await readFile(join(RESULTS, 'audio-latest.json'), 'utf8')) as AudioResults;
const sc = r.scaling;
if (!sc) throw new Error('latest.json has no scaling section to project from');
const hour = audio.cases.reduce((a, b) => (b.seconds > a.seconds ? b : a));
const p = sc.projection;
const perFrame = await bytesPerFrame(sc.width, sc.height, sc.fps);
// The stitch by reference: its header build measured now, for 200 parts of 450 frames.
const moovDir = await mkdtemp(join(tmpdir(), 'cutline-project-moov-'));
const moov = await measureMoovBuild(await makePart(moovDir)).finally(() =>
  rm(moovDir, { recursive: true, force: true }),
);
const model = hourModel({
  chunkSeconds: p.chunkSeconds,
  audioPartSeconds: hour.longestPartSeconds,
  audioPartBytes: (192_000 / 8) * (hour.seconds / hour.parts),
  stitchSeconds: p.stitchSeconds,
  chunkBytes: perFrame * p.framesPerFunction,
  sourceBytesPerChunk: 2 * perFrame * (p.framesPerFunction + sc.fps),
  moovBuildSeconds: moov.seconds,
  headBytes: moov.headBytes,
});
p.model = {
  ...model,
  note: `Recomputed by \`bench/project.ts\` (${new Date().toISOString()}) from this run's chunk and stitch, the slowest audio part of the ${hour.seconds} s case in \`audio-latest.md\` (${audio.generatedAt}, load average ${audio.loadAverage.map((x) => x.toFixed(1)).join(' / ')}), and ${(perFrame / 1e3).toFixed(0)} kB/frame measured on 2 s of ${sc.width}×${sc.height} testsrc2 at veryfast CRF 23 (sources read as two such streams with 1 s of seek pre-roll). The stitch joins by reference: its header build (${moov.seconds.toFixed(2)} s for 200 parts of 450 frames, ${(moov.headBytes / 1e6).toFixed(2)} MB of header) measured now by \`bench/reference-join.ts\`; the UploadPartCopy and request times are assumptions (hour-model.ts) only a real account can check. The "audio" row above is the former whole-hour mix, kept as it was measured.`,
};
p.projectedSeconds = model.result.seconds;
await writeFile(join(RESULTS, 'latest.json'), `${JSON.stringify(r, null, 2)}\n`);
await writeFile(join(RESULTS, 'latest.md'), renderMarkdown(r));
console.log(`projected ${model.result.seconds.toFixed(1)} s for the hour`);
for (const t of model.result.terms) console.log(`  ${t.name}: ${t.seconds.toFixed(2)} s`);
