import { rename, stat } from 'node:fs/promises';
import type { Output } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import { execManaged } from '../media/processes.js';
import { audioCodecArgs, containerArgs } from '../render/encode.js';
import { setting } from '../config.js';

/** What loudnorm's first pass reports (its JSON, numbers as strings). */
export interface LoudnessMeasure {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

export interface LoudnessTarget {
  /** Integrated loudness, LUFS. */
  target: number;
  /** True-peak ceiling, dBTP. */
  truePeak: number;
}

/*
 * The loudness range target is the filter's maximum, so loudnorm never leaves linear mode to squeeze the
 * range (it still does if the gain would push the true peak over the ceiling: then it limits).
 */
const LRA = 50;

const filter = (t: LoudnessTarget) => `loudnorm=I=${t.target}:TP=${t.truePeak}:LRA=${LRA}`;

/** Pass 1: measure the whole file's audio (decode only, no video). */
export function measureArgs(path: string, t: LoudnessTarget): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-i',
    path,
    '-vn',
    '-sn',
    '-af',
    `${filter(t)}:print_format=json`,
    '-f',
    'null',
    '-',
  ];
}

/** Reads the JSON block loudnorm prints at the end of pass 1. */
export function parseMeasure(stderr: string): LoudnessMeasure {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) throw new CutlineError('RENDER_FAILED', 'loudnorm printed no measurement');
  return JSON.parse(stderr.slice(start, end + 1)) as LoudnessMeasure;
}

/**
 * Pass 2: the measured values make loudnorm apply one linear gain (no dynamic processing); the audio is
 * re-encoded with the output's own codec and the video stream is copied untouched.
 */
export function applyArgs(
  path: string,
  out: string,
  format: Output['format'],
  m: LoudnessMeasure,
  t: LoudnessTarget,
): string[] {
  const measured = [
    `measured_I=${m.input_i}`,
    `measured_TP=${m.input_tp}`,
    `measured_LRA=${m.input_lra}`,
    `measured_thresh=${m.input_thresh}`,
    `offset=${m.target_offset}`,
    'linear=true',
  ].join(':');
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    path,
    '-map',
    '0',
    '-c',
    'copy',
    '-af',
    `${filter(t)}:${measured}`,
    // loudnorm works at 192 kHz; the codec args bring it back to 48 kHz.
    ...audioCodecArgs(format),
    ...containerArgs(format),
    out,
  ];
}

/**
 * Two-pass EBU R128 normalisation of a finished file, in place. Done after the render rather than in the
 * main encode because the chunked path mixes audio once and stitches by stream copy: measuring needs the
 * whole finished mix, and re-encoding only the audio (video copied) costs seconds even for long videos.
 * Returns the integrated loudness measured before, or null when the audio is silent (left as it is).
 */
export async function normaliseLoudness(
  path: string,
  format: Output['format'],
  t: LoudnessTarget,
  signal?: AbortSignal,
): Promise<{ before: number | null; bytes: number }> {
  const bin = setting('FFMPEG_PATH');
  let stderr: string;
  try {
    ({ stderr } = await execManaged(bin, measureArgs(path, t), {
      maxBuffer: 16 * 1024 * 1024,
      signal,
      slots: 1,
    }));
  } catch (err) {
    const reason = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(err);
    throw new CutlineError('RENDER_FAILED', `loudness measurement failed: ${reason}`);
  }
  const m = parseMeasure(stderr);
  const before = Number(m.input_i);
  // Silence (or near it) has no loudness to normalise: gating leaves nothing, and a gain would only add noise.
  if (!Number.isFinite(before) || before < -70) return { before: null, bytes: (await stat(path)).size };
  const tmp = path.replace(/(\.[^./]+)?$/, '.loudnorm$1');
  await runFfmpeg(applyArgs(path, tmp, format, m, t), { signal });
  await rename(tmp, path);
  return { before, bytes: (await stat(path)).size };
}
