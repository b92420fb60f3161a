/**
 * The reference join against today's concat-demuxer stitch, in the same run and alternating: n chunk
 * parts of 450 frames (one part file listed n times; both joins accept that) with their AAC parts, for
 * n = 2, 20, 200. Also measures what the stitch Lambda's model needs: the moov build (parse + joinLayout
 * + planMultipart) for 200 parts of 450 frames and an hour of AAC frames, without any file I/O.
 * Writes bench/results/reference-join-latest.{json,md}.
 *   npx tsx bench/reference-join.ts [--parts 2,20,200] [--reps 2] [--size 640x360]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stitch } from '../lambdas/core/engine/chunks.js';
import { joinLocalParts, readLocalPart } from '../lambdas/core/engine/reference-join.js';
import { adtsFrames } from '../lambdas/core/media/adts.js';
import { runFfmpeg } from '../lambdas/core/media/ffmpeg.js';
import { joinLayout } from '../lambdas/core/media/mp4-join.js';
import { planMultipart } from '../lambdas/core/objects/multipart-plan.js';
import { AAC_FRAME, joinedFrames } from '../lambdas/core/render/audio-parts.js';
import type { CompileInput } from '../lambdas/core/render/compile.js';
import { median } from './measure.js';

export const PART_FRAMES = 450;
const FPS = 30;

/** A chunk-like part: 450 frames of x264 veryfast CRF 23 (B-frames, closed GOPs), video only, no faststart. */
export async function makePart(dir: string, size = '320x180'): Promise<string> {
  const out = join(dir, `part-${size}.mp4`);
  await runFfmpeg([
    '-hide_banner',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${size}:r=${FPS}:d=${PART_FRAMES / FPS}`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-g',
    String(2 * FPS),
    '-flags',
    '+cgop',
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
  return out;
}

/** 15 s of AAC at 192 kb/s as ADTS: the audio of one part. */
async function makeAacPart(dir: string): Promise<string> {
  const out = join(dir, 'part.aac');
  await runFfmpeg([
    '-hide_banner',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=f=440:r=48000:d=${PART_FRAMES / FPS}`,
    '-ac',
    '2',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-f',
    'adts',
    out,
  ]);
  return out;
}

/**
 * Seconds to build the joined file's header for `parts` parts like `partFile` and their audio (an hour
 * for 200 parts): parse every part's moov, joinLayout, planMultipart. The median of `reps`.
 */
export async function measureMoovBuild(
  partFile: string,
  parts = 200,
  reps = 3,
): Promise<{ seconds: number; headBytes: number; uploadedBytes: number; copyParts: number }> {
  const moovOnly = await readFile(partFile);
  const totalSamples = Math.round((parts * PART_FRAMES * 48_000) / FPS);
  // AAC frames of a 192 kb/s stream: 512 bytes each (the joiner only counts and places them).
  const frames = Array.from({ length: joinedFrames(totalSamples) }, () => Buffer.alloc(512));
  const aac = { frames, sampleRate: 48_000, channels: 2, objectType: 2, frequencyIndex: 3 };
  const times: number[] = [];
  let last: ReturnType<typeof joinLayout> | undefined;
  let plan: ReturnType<typeof planMultipart> | undefined;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const { parseVideoPartFile } = await import('../lambdas/core/media/mp4-part.js');
    const list = Array.from({ length: parts }, (_, i) => parseVideoPartFile(String(i), moovOnly));
    last = joinLayout(list, { aac, totalSamples });
    plan = planMultipart(last.segments);
    times.push((performance.now() - t0) / 1000);
  }
  return {
    seconds: median(times),
    headBytes: last!.headBytes,
    uploadedBytes: plan!.uploadedBytes,
    copyParts: plan!.parts.filter((p) => 'copy' in p).length,
  };
}

/** The stitch()'s input for an MP4 with no packaging: only the format and metadata are read. */
const stitchInput = { spec: { format: 'mp4' }, edit: { output: {} } } as unknown as CompileInput;

export interface JoinBenchRow {
  parts: number;
  bytes: number;
  ffmpegSeconds: number[];
  referenceSeconds: number[];
  ratio: number;
}

export async function joinBench(counts: readonly number[], reps: number, size: string) {
  const dir = await mkdtemp(join(tmpdir(), 'cutline-refjoin-bench-'));
  try {
    const part = await makePart(dir, size);
    const aacPart = await makeAacPart(dir);
    const perPart = adtsFrames(await readFile(aacPart)).length;
    void (await readLocalPart(part));
    const rows: JoinBenchRow[] = [];
    for (const n of counts) {
      const files = Array.from({ length: n }, () => part);
      // n copies of the part's frames: the whole's length in samples (last frame partial, as rendered).
      const totalSamples = (n * perPart - 2) * AAC_FRAME + AAC_FRAME / 2;
      const audio = { parts: Array.from({ length: n }, () => aacPart), totalSamples };
      const ff: number[] = [];
      const ref: number[] = [];
      let bytes = 0;
      for (let r = 0; r < reps; r++) {
        // Alternate which goes first, so a change of load falls on both.
        const order = r % 2 ? ['reference', 'ffmpeg'] : ['ffmpeg', 'reference'];
        for (const which of order) {
          const out = join(dir, `${which}-${n}.mp4`);
          const t0 = performance.now();
          if (which === 'ffmpeg') await stitch(stitchInput, files, audio, out, dir);
          else bytes = (await joinLocalParts(files, audio, out)).size;
          (which === 'ffmpeg' ? ff : ref).push((performance.now() - t0) / 1000);
          await rm(out, { force: true });
        }
      }
      rows.push({
        parts: n,
        bytes,
        ffmpegSeconds: ff,
        referenceSeconds: ref,
        ratio: median(ff) / median(ref),
      });
      console.log(
        `${n} parts (${(bytes / 1e6).toFixed(0)} MB): ffmpeg stitch ${median(ff).toFixed(2)} s, reference join ${median(ref).toFixed(2)} s (${(median(ff) / median(ref)).toFixed(1)}×)`,
      );
    }
    const moov = await measureMoovBuild(await makePart(dir, '320x180'));
    return { rows, moov };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      parts: { type: 'string', default: '2,20,200' },
      reps: { type: 'string', default: '2' },
      size: { type: 'string', default: '640x360' },
    },
  });
  const load0 = loadavg();
  const { rows, moov } = await joinBench(
    values.parts.split(',').map(Number),
    Number(values.reps),
    values.size,
  );
  const load1 = loadavg();
  const results = {
    generatedAt: new Date().toISOString(),
    size: values.size,
    partFrames: PART_FRAMES,
    loadAverage: [load0, load1],
    rows,
    moov,
  };
  const dir = join(import.meta.dirname, 'results');
  await writeFile(join(dir, 'reference-join-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = [
    '# Reference join vs ffmpeg stitch',
    '',
    `${results.generatedAt}; parts of ${PART_FRAMES} frames at ${values.size} (one part listed n times) with 15 s AAC parts; medians of ${values.reps}, alternating; load average ${load0.map((x) => x.toFixed(1)).join(' / ')} → ${load1.map((x) => x.toFixed(1)).join(' / ')}.`,
    '',
    '| parts | output | ffmpeg stitch (concat demuxer) | reference join (range copy) | ratio |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.parts} | ${(r.bytes / 1e6).toFixed(1)} MB | ${median(r.ffmpegSeconds).toFixed(3)} s | ${median(r.referenceSeconds).toFixed(3)} s | ${r.ratio.toFixed(1)}× |`,
    ),
    '',
    `Header build for 200 parts of ${PART_FRAMES} frames and their hour of AAC (parse 200 moovs, joinLayout, planMultipart; no I/O): **${moov.seconds.toFixed(3)} s**; head ${(moov.headBytes / 1e6).toFixed(2)} MB, ${(moov.uploadedBytes / 1e6).toFixed(1)} MB uploaded, ${moov.copyParts} UploadPartCopy parts (of 320×180 parts, all under 5 MiB: at 1080p each part is its own copy).`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'reference-join-latest.md'), md);
  console.log(md);
}
