import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Output } from '../edit/schema.js';
import { aacFromAdts } from '../media/aac-track.js';
import { scanTopLevel, type Box } from '../media/mp4-box.js';
import { joinLayout, type JoinAudio, type JoinLayout } from '../media/mp4-join.js';
import { parseVideoPart, type VideoPart } from '../media/mp4-part.js';

/**
 * Which join a rendition's chunks get. `reference`: the MP4 joiner (media/mp4-join.ts) writes a new
 * header and copies the parts' video bytes as they are (locally by range, in AWS by UploadPartCopy);
 * `ffmpeg`: the concat-demuxer stitch (engine/chunks.ts), for what the joiner does not cover.
 */
export type JoinMethod = { method: 'reference' } | { method: 'ffmpeg'; reason: string };

export interface JoinCase {
  format: Output['format'];
  /** The audio the stitch gets: AAC parts, one encoded file (webm's Opus mix), or none. */
  audio: 'parts' | 'file' | null;
  /** Smart-render pieces carry their own durations (MPEG-TS), which only the concat demuxer honours. */
  durations?: boolean;
  /** The caller needs the whole joined file on its disk (packaging in the stitch Lambda). */
  needsWholeFile?: boolean;
}

/** Pure: the join for a case, and why not the reference join when it does not apply. */
export function chooseJoin(c: JoinCase): JoinMethod {
  if (c.format !== 'mp4') return { method: 'ffmpeg', reason: `${c.format} parts are joined by ffmpeg` };
  if (c.durations)
    return { method: 'ffmpeg', reason: 'smart-render pieces are MPEG-TS with their own durations' };
  if (c.audio === 'file') return { method: 'ffmpeg', reason: 'the audio is one encoded file, not AAC parts' };
  if (c.needsWholeFile) return { method: 'ffmpeg', reason: 'packaging reads the whole joined file' };
  return { method: 'reference' };
}

/** A local part's video track, read from its top-level box headers, ftyp and moov only. */
export async function readLocalPart(path: string, name = path): Promise<VideoPart> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const read = async (start: number, length: number) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      return buf.subarray(0, bytesRead);
    };
    const boxes = await scanTopLevel(read, size, name);
    const held = new Map<Box, Buffer>();
    for (const b of boxes)
      if (b.type === 'ftyp' || b.type === 'moov') held.set(b, await read(b.start, b.size));
    return parseVideoPart(name, boxes, (b) => {
      const got = held.get(b);
      if (!got) throw new Error(`readLocalPart: ${b.type} was not read`);
      return got;
    });
  } finally {
    await fh.close();
  }
}

/** Writes a layout to `output`: its own bytes as they are, the parts' ranges copied from their files. */
export async function writeLayout(
  layout: JoinLayout,
  partFiles: readonly string[],
  output: string,
): Promise<void> {
  // As runFfmpeg does for its output: the folder is made when missing.
  await mkdir(dirname(output), { recursive: true });
  const out = await open(output, 'w');
  const sources = new Map<string, FileHandle>();
  const buf = Buffer.alloc(1 << 20);
  let pos = 0;
  try {
    for (const s of layout.segments) {
      if ('bytes' in s) {
        await out.write(s.bytes, 0, s.bytes.length, pos);
        pos += s.bytes.length;
        continue;
      }
      const path = partFiles[s.part]!;
      let src = sources.get(path);
      if (!src) sources.set(path, (src = await open(path, 'r')));
      for (let at = s.start; at < s.end;) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, s.end - at), at);
        if (!bytesRead) throw new Error(`reference join: chunk part ${s.part} ends before byte ${s.end}`);
        await out.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
        at += bytesRead;
      }
    }
  } finally {
    await Promise.all([out.close(), ...[...sources.values()].map((h) => h.close())]);
  }
  const { size } = await stat(output);
  if (size !== layout.size) throw new Error(`reference join: wrote ${size} bytes of ${layout.size}`);
}

/** The joined AAC parts (ADTS files, in order) as the joiner's audio. */
export async function readAacParts(parts: readonly string[], totalSamples: number): Promise<JoinAudio> {
  const data = Buffer.concat(await Promise.all(parts.map((p) => readFile(p))));
  return { aac: aacFromAdts(data), totalSamples };
}

/**
 * Joins local chunk parts and AAC parts into `output` by reference: no ffmpeg, no re-mux, the video
 * bytes copied once. The file equals the concat-demuxer stitch's in content (test/integration/render/
 * reference-join.test.ts compares frames, samples and timing).
 */
export async function joinLocalParts(
  chunkFiles: readonly string[],
  audio: { parts: readonly string[]; totalSamples: number } | null,
  output: string,
  metadata?: Output['metadata'],
): Promise<JoinLayout> {
  const parts = await Promise.all(
    chunkFiles.map((f, i) => readLocalPart(f, `${i} (${f.slice(f.lastIndexOf('/') + 1)})`)),
  );
  const joined = audio ? await readAacParts(audio.parts, audio.totalSamples) : null;
  const layout = joinLayout(parts, joined, { metadata });
  await writeLayout(layout, chunkFiles, output);
  return layout;
}
