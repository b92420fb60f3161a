import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { filterGraphThreads } from '../plan/threads.js';
import { CutlineError } from '../errors.js';
import { runFfmpeg, type RunOptions } from '../media/ffmpeg.js';
import type { PlannedChunk, RenderPlan } from '../plan/planner.js';
import { compileRender, type CompileInput } from '../render/compile.js';
import { containerArgs, metadataArgs } from '../render/encode.js';
import { adtsFrames, sliceAdts } from '../media/adts.js';
import { frameSample } from '../render/audio.js';
import { joinedFrames, joinTimingFilter, type AudioPart } from '../render/audio-parts.js';

/** Chunk files keep the output's container so the stitch can copy streams as they are. */
export function chunkExtension(format: string): string {
  return format === 'webm' ? 'webm' : format === 'mov' ? 'mov' : 'mp4';
}
export function audioPartExtension(format: string): string {
  return format === 'webm' ? 'webm' : 'm4a';
}

export const chunkPath = (workDir: string, chunk: Pick<PlannedChunk, 'index'>, format: string): string =>
  join(workDir, `chunk-${String(chunk.index).padStart(4, '0')}.${chunkExtension(format)}`);
export const audioPartPath = (workDir: string, format: string): string =>
  join(workDir, `audio.${audioPartExtension(format)}`);
export const aacPartPath = (workDir: string, part: Pick<AudioPart, 'index'>): string =>
  join(workDir, `audio-${String(part.index).padStart(4, '0')}.aac`);

/** What the stitch muxes: one encoded file (a single mix), or AAC parts to join by stream copy. */
export type StitchAudio = { file: string } | { parts: string[]; totalSamples: number };

/** Renders the video of one chunk's frames, with the same encoder settings as every other chunk. */
export async function renderChunk(
  input: CompileInput,
  chunk: PlannedChunk,
  workDir: string,
  opts: RunOptions & { threads?: number } = {},
): Promise<string> {
  const output = chunkPath(workDir, chunk, input.spec.format);
  const compiled = compileRender(input, {
    output,
    window: { startFrame: chunk.startFrame, endFrame: chunk.endFrame },
    streams: 'video',
    threads: opts.threads,
    filterThreads: filterGraphThreads(opts.threads ?? availableParallelism()),
    part: true,
  });
  try {
    await runFfmpeg(compiled.args, { ...opts, durationSeconds: compiled.durationSeconds });
  } catch (err) {
    // Named here so every runner (local pool, Lambda Map item, Fargate task) reports which chunk broke.
    const reason = err instanceof Error ? err.message : String(err);
    throw new CutlineError(
      err instanceof CutlineError && (err.code === 'FFMPEG_UNAVAILABLE' || err.code === 'STORAGE_FULL')
        ? err.code
        : 'RENDER_FAILED',
      `chunk ${chunk.index} (frames ${chunk.startFrame}–${chunk.endFrame}) failed: ${reason}`,
      [],
      err instanceof CutlineError ? err.retryable : false,
    );
  }
  return output;
}

/**
 * Mixes one audio part: only the sources that cross its samples, encoded with its pre- and post-roll,
 * then cut to its own AAC frames (render/audio-parts.ts).
 */
export async function renderAacPart(
  input: CompileInput,
  plan: Pick<RenderPlan, 'window'>,
  part: AudioPart,
  workDir: string,
  opts: RunOptions & { threads?: number } = {},
): Promise<string> {
  const output = aacPartPath(workDir, part);
  const encoded = `${output}.full`;
  const base = frameSample(plan.window.startFrame, input.spec.fps);
  const compiled = compileRender(input, {
    output: encoded,
    audioPart: { from: base + part.encodeFrom, to: base + part.encodeTo },
    threads: opts.threads,
    filterThreads: filterGraphThreads(opts.threads ?? availableParallelism()),
  });
  try {
    await runFfmpeg(compiled.args, { ...opts, durationSeconds: compiled.durationSeconds });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CutlineError(
      err instanceof CutlineError && (err.code === 'FFMPEG_UNAVAILABLE' || err.code === 'STORAGE_FULL')
        ? err.code
        : 'RENDER_FAILED',
      `audio part ${part.index} (samples ${part.startSample}–${part.endSample}) failed: ${reason}`,
      [],
      err instanceof CutlineError ? err.retryable : false,
    );
  }
  await writeFile(output, sliceAdts(await readFile(encoded), part.skipFrames, part.keepFrames));
  return output;
}

/** Concatenates AAC parts' frames (in order) into one ADTS file; checks the frame count of the whole. */
export async function joinAacParts(parts: readonly string[], totalSamples: number, output: string) {
  const data = Buffer.concat(await Promise.all(parts.map((p) => readFile(p))));
  const frames = adtsFrames(data).length;
  if (frames !== joinedFrames(totalSamples))
    throw new CutlineError(
      'RENDER_FAILED',
      `audio parts: ${frames} AAC frames joined, ${joinedFrames(totalSamples)} expected for ${totalSamples} samples`,
    );
  await writeFile(output, data);
  return output;
}

/** Mixes the audio of the plan's whole window once. */
export async function renderAudioPart(
  input: CompileInput,
  plan: RenderPlan,
  workDir: string,
  opts: RunOptions & { threads?: number } = {},
): Promise<string> {
  const output = audioPartPath(workDir, input.spec.format);
  const compiled = compileRender(input, {
    output,
    window: plan.window,
    streams: 'audio',
    threads: opts.threads,
    filterThreads: filterGraphThreads(opts.threads ?? availableParallelism()),
    part: true,
  });
  await runFfmpeg(compiled.args, { ...opts, durationSeconds: compiled.durationSeconds });
  return output;
}

/** ffconcat quoting: single quotes, with `'` written as `'\''`. */
const concatQuote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * Joins the chunks by stream copy (no re-encode) and muxes the audio part. `durations` (seconds, one per
 * chunk) place each chunk exactly where the one before ends instead of where its last packet suggests
 * (a smart render's MPEG-TS pieces).
 */
export async function stitch(
  input: CompileInput,
  chunkFiles: readonly string[],
  audio: StitchAudio | null,
  output: string,
  workDir: string,
  { durations, ...opts }: RunOptions & { durations?: readonly number[] } = {},
): Promise<void> {
  if (!chunkFiles.length) throw new CutlineError('RENDER_FAILED', 'stitch: there are no chunks to join');
  const list = join(workDir, 'chunks.ffconcat');
  const entry = (f: string, i: number) =>
    `file ${concatQuote(f)}${durations ? `\nduration ${durations[i]!.toFixed(6)}` : ''}`;
  await writeFile(list, `ffconcat version 1.0\n${chunkFiles.map(entry).join('\n')}\n`);
  const audioFile = !audio
    ? null
    : 'file' in audio
      ? audio.file
      : await joinAacParts(audio.parts, audio.totalSamples, join(workDir, 'audio-joined.aac'));
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    // The list names only this job's own chunks (the platform wrote it), read as local files.
    '-protocol_whitelist',
    'file',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    list,
    ...(audioFile ? ['-i', audioFile] : []),
    '-map',
    '0:v:0',
    ...(audioFile ? ['-map', '1:a:0'] : []),
    '-c',
    'copy',
    // Joined parts carry ADTS timing: give them a single pass's (priming frame, exact last frame).
    ...(audio && 'parts' in audio ? ['-bsf:a', joinTimingFilter(audio.totalSamples)] : []),
    ...containerArgs(input.spec.format),
    ...metadataArgs(input.edit.output),
    output,
  ];
  await runFfmpeg(args, opts);
}
