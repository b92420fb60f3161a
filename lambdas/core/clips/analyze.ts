import { CutlineError } from '../errors.js';
import { execManaged } from '../media/processes.js';
import { refusalOf, sourceInputOptions } from '../media/source-input.js';
import type { GrayFrames } from './reframe.js';
import { setting } from '../config.js';

const bin = () => setting('FFMPEG_PATH');

/** Width of the analysis frames: enough to find a subject, small enough to read an hour in memory. */
export const ANALYSIS_WIDTH = 64;
/** Analysis frames per second. */
export const ANALYSIS_FPS = 4;

async function ffmpegOut(args: string[], at: string): Promise<{ stdout: Buffer; stderr: string }> {
  try {
    const { stdout, stderr } = await execManaged(bin(), ['-hide_banner', '-nostdin', ...args], {
      encoding: 'buffer',
      slots: 1,
      maxBuffer: 512 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new CutlineError('FFMPEG_UNAVAILABLE', `ffmpeg was not found (${bin()}); install ffmpeg`);
    const refused = refusalOf(e.stderr?.toString('utf8') ?? '', at);
    if (refused) throw refused;
    const tail = e.stderr?.toString('utf8').trim().split('\n').slice(-3).join(' ') ?? e.message;
    throw new CutlineError('SOURCE_UNREADABLE', `${at}: analysis failed: ${tail}`, [
      { path: at, message: 'could not be analysed' },
    ]);
  }
}

/**
 * Grayscale frames of [start, start + length) (whole source when length is omitted), ANALYSIS_FPS a
 * second, ANALYSIS_WIDTH pixels wide with the source's aspect ratio, read raw from ffmpeg's stdout.
 */
export async function readGrayFrames(
  path: string,
  source: { width: number; height: number; format?: string },
  at: string,
  range: { start: number; length?: number } = { start: 0 },
): Promise<GrayFrames> {
  const width = ANALYSIS_WIDTH;
  const height = Math.max(2, Math.round((width * source.height) / source.width / 2) * 2);
  const { stdout } = await ffmpegOut(
    [
      '-v',
      'error',
      ...(range.start > 0 ? ['-ss', String(range.start)] : []),
      ...(range.length ? ['-t', String(range.length)] : []),
      ...sourceInputOptions(path, source.format),
      '-i',
      path,
      '-an',
      '-vf',
      `fps=${ANALYSIS_FPS},scale=${width}:${height}:flags=area,format=gray`,
      '-f',
      'rawvideo',
      '-',
    ],
    at,
  );
  const size = width * height;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= stdout.length; o += size)
    frames.push(new Uint8Array(stdout.subarray(o, o + size)));
  return { width, height, step: 1 / ANALYSIS_FPS, frames };
}

/** Mean absolute difference of consecutive frames (0 for the first). */
export function frameDifferences(g: GrayFrames): number[] {
  return g.frames.map((f, i) => {
    const prev = g.frames[i - 1];
    if (!prev) return 0;
    let s = 0;
    for (let k = 0; k < f.length; k++) s += Math.abs(f[k]! - prev[k]!);
    return s / f.length;
  });
}

/**
 * EBU R128 momentary loudness every 100 ms and silencedetect intervals, in one pass over the audio.
 * A source without audio gives empty lists.
 */
export async function audioSignals(
  path: string,
  at: string,
  duration: number,
  format?: string,
): Promise<{
  loudness: Array<{ t: number; lufs: number }>;
  silences: Array<{ start: number; end: number }>;
}> {
  const { stderr } = await ffmpegOut(
    [
      '-v',
      'info',
      ...sourceInputOptions(path, format),
      '-i',
      path,
      '-vn',
      '-af',
      'ebur128=framelog=info,silencedetect=n=-35dB:d=0.4',
      '-f',
      'null',
      '-',
    ],
    at,
  );
  const loudness = [...stderr.matchAll(/\bt:\s*([\d.]+)\s+TARGET:.*?\bM:\s*(-?[\d.]+)/g)].map((m) => ({
    t: Number(m[1]),
    lufs: Number(m[2]),
  }));
  const silences: Array<{ start: number; end: number }> = [];
  let open: number | undefined;
  for (const m of stderr.matchAll(/silence_(start|end):\s*(-?[\d.]+)/g)) {
    const t = Math.max(0, Number(m[2]));
    if (m[1] === 'start') open = t;
    else if (open !== undefined) {
      silences.push({ start: open, end: t });
      open = undefined;
    }
  }
  if (open !== undefined) silences.push({ start: open, end: duration });
  return { loudness, silences };
}
