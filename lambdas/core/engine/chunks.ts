import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CutlineError } from '../errors.js';
import { runFfmpeg, type RunOptions } from '../media/ffmpeg.js';
import type { PlannedChunk, RenderPlan } from '../plan/planner.js';
import { compileRender, type CompileInput } from '../render/compile.js';
import { containerArgs, metadataArgs } from '../render/encode.js';

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
    part: true,
  });
  await runFfmpeg(compiled.args, { ...opts, durationSeconds: compiled.durationSeconds });
  return output;
}

/** ffconcat quoting: single quotes, with `'` written as `'\''`. */
const concatQuote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/** Joins the chunks by stream copy (no re-encode) and muxes the audio part. */
export async function stitch(
  input: CompileInput,
  chunkFiles: readonly string[],
  audioFile: string | null,
  output: string,
  workDir: string,
  opts: RunOptions = {},
): Promise<void> {
  if (!chunkFiles.length) throw new CutlineError('RENDER_FAILED', 'stitch: there are no chunks to join');
  const list = join(workDir, 'chunks.ffconcat');
  await writeFile(
    list,
    `ffconcat version 1.0\n${chunkFiles.map((f) => `file ${concatQuote(f)}`).join('\n')}\n`,
  );
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
    ...containerArgs(input.spec.format),
    ...metadataArgs(input.edit.output),
    output,
  ];
  await runFfmpeg(args, opts);
}
