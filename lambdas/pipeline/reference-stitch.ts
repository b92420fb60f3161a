import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { contentType, keys, type ObjectStore } from '../core/aws/storage.js';
import { extraImageArgs } from '../core/engine/render.js';
import type { Job } from '../core/jobs/model.js';
import { aacFromAdts } from '../core/media/aac-track.js';
import { runFfmpeg } from '../core/media/ffmpeg.js';
import { scanTopLevel, type Box } from '../core/media/mp4-box.js';
import { joinLayout, type JoinLayout } from '../core/media/mp4-join.js';
import { parseVideoPart, type VideoPart } from '../core/media/mp4-part.js';
import { assembleOutputIfLive } from '../core/objects/job-objects.js';
import { planMultipart, type MultipartPlan } from '../core/objects/multipart-plan.js';
import type { RenderedFile } from '../core/packaging/types.js';
import type { CompileInput } from '../core/render/compile.js';
import { deliveredSize } from '../core/render/output-spec.js';
import { getPlatform } from '../core/platform.js';
import { outputName, storeOutputs, type StoredFiles } from './outputs.js';
import type { ChunkPlan } from './state.js';

/** Reads are made in blocks this size: a part's ftyp, free and mdat header come in one, its moov in one. */
const READ_BLOCK = 64 * 1024;

/**
 * A chunk part in S3, read as the joiner needs it: its top-level box headers (the parts have no faststart,
 * so moov is found after mdat), then its ftyp and moov. Reads are cached in 64 KiB blocks, so a part costs
 * a HeadObject and about two ranged GETs, never its media bytes.
 */
export async function readRemotePart(objects: ObjectStore, bucket: string, key: string, name: string) {
  const head = await objects.head(bucket, key);
  if (!head) throw new Error(`stitch: chunk part ${name} is not in the bucket`);
  const blocks = new Map<number, Promise<Buffer>>();
  let gets = 0;
  const block = (n: number) => {
    let b = blocks.get(n);
    if (!b) {
      gets++;
      b = objects.getRange(bucket, key, n * READ_BLOCK, Math.min(head.bytes, (n + 1) * READ_BLOCK));
      blocks.set(n, b);
    }
    return b;
  };
  const read = async (start: number, length: number) => {
    const end = Math.min(head.bytes, start + length);
    const first = Math.floor(start / READ_BLOCK);
    const last = Math.floor((end - 1) / READ_BLOCK);
    // A box longer than a few blocks (a big moov) is read in one GET rather than block by block.
    if (last - first > 2) {
      gets++;
      return objects.getRange(bucket, key, start, end);
    }
    const got = await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => block(first + i)));
    return Buffer.concat(got).subarray(start - first * READ_BLOCK, end - first * READ_BLOCK);
  };
  const boxes = await scanTopLevel(read, head.bytes, name);
  const held = new Map<Box, Buffer>();
  for (const b of boxes) if (b.type === 'ftyp' || b.type === 'moov') held.set(b, await read(b.start, b.size));
  const part: VideoPart = parseVideoPart(name, boxes, (b) => held.get(b)!);
  return { part, gets };
}

/**
 * The stitch by reference: the parts' headers and the audio are all this function downloads; the output
 * object is assembled by S3 (UploadPartCopy of the parts' video ranges, UploadPart of the new header and
 * the audio). The poster and thumbnail come from the one chunk that holds their frame. Returns what
 * storeOutputs stored (the main file first), as the ffmpeg stitch does.
 */
export async function stitchByReference(
  job: Job,
  input: CompileInput,
  rendition: { name: string; chunks: readonly ChunkPlan[] },
  chunkKeys: readonly string[],
  audio: { keys: readonly string[]; totalSamples: number } | null,
  dir: string,
): Promise<{ stored: StoredFiles; layout: JoinLayout; plan: MultipartPlan }> {
  const p = getPlatform();
  const bucket = p.outputsBucket;
  const parts = await Promise.all(
    chunkKeys.map(
      async (k, i) =>
        (await readRemotePart(p.objects, bucket, k, `${i} (${k.slice(k.lastIndexOf('/') + 1)})`)).part,
    ),
  );
  const adts = audio
    ? Buffer.concat(await Promise.all(audio.keys.map((k) => downloadBytes(p.objects, bucket, k, dir))))
    : null;
  const layout = joinLayout(
    parts,
    adts && audio ? { aac: aacFromAdts(adts), totalSamples: audio.totalSamples } : null,
    {
      metadata: input.edit.output.metadata,
    },
  );
  const plan = planMultipart(layout.segments);
  const name = outputName(rendition.name, input.spec.format);
  const key = keys.output(job.tenantId, job.id, name);
  await assembleOutputIfLive(job.id, key, chunkKeys, plan, contentType(name));

  // Poster and thumbnail: the chunk holding the captured frame, seeked to it.
  const fps = input.spec.fps.num / input.spec.fps.den;
  const first = rendition.chunks[0]!.startFrame;
  const startOf = (c: ChunkPlan) => (c.startFrame - first) / fps;
  const chunkAt = (t: number) => {
    const i = rendition.chunks.findIndex(
      (c, n) => n === rendition.chunks.length - 1 || startOf(rendition.chunks[n + 1]!) > t,
    );
    return Math.max(0, i);
  };
  const { poster, thumbnail } = input.edit.output;
  const needed = [
    ...new Set([poster?.capture, thumbnail?.capture].filter((c) => c !== undefined).map(chunkAt)),
  ];
  const local = new Map<number, string>();
  await Promise.all(
    needed.map(async (i) => {
      const path = join(dir, `poster-chunk-${i}.mp4`);
      await p.objects.download(bucket, chunkKeys[i]!, path);
      local.set(i, path);
    }),
  );
  const output = join(dir, name);
  const images: RenderedFile[] = [];
  for (const img of extraImageArgs(input, output, (capture) => {
    const i = chunkAt(capture);
    return { file: local.get(i)!, seek: Math.max(0, capture - startOf(rendition.chunks[i]!)) };
  })) {
    await runFfmpeg(img.args);
    images.push({ kind: img.kind, path: img.path, bytes: (await stat(img.path)).size });
  }
  const frames = rendition.chunks.reduce((n, c) => n + (c.endFrame - c.startFrame), 0);
  const main = {
    kind: 'video' as const,
    key,
    bytes: layout.size,
    durationSeconds: (frames * input.spec.fps.den) / input.spec.fps.num,
    ...deliveredSize(input.spec),
  };
  const stored = await storeOutputs(job, images, rendition.name, [{ ...main, rendition: rendition.name }]);
  return { stored, layout, plan };
}

async function downloadBytes(
  objects: ObjectStore,
  bucket: string,
  key: string,
  dir: string,
): Promise<Buffer> {
  const path = join(dir, key.slice(key.lastIndexOf('/') + 1));
  await objects.download(bucket, key, path);
  return readFile(path);
}
