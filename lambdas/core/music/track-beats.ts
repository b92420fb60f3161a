import { CutlineError } from '../errors.js';
import { execManaged } from '../media/processes.js';
import { refusalOf, sourceInputOptions } from '../media/source-input.js';
import { analyzeBeats, BEAT_RATE, type BeatAnalysis } from './beats.js';

/** The longest track planned on (decoded whole into memory: 15 min at 11 kHz mono is 40 MB). */
export const MAX_PLANNED_TRACK_SECONDS = 15 * 60;

/** Decodes a track (read in place, as every source is) to mono PCM and finds its beats. */
export async function trackBeats(path: string, at: string, format?: string): Promise<BeatAnalysis> {
  const bin = process.env.CUTLINE_FFMPEG ?? 'ffmpeg';
  let pcm: Buffer;
  try {
    const { stdout } = await execManaged(
      bin,
      [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        ...sourceInputOptions(path, format),
        '-i',
        path,
        '-t',
        String(MAX_PLANNED_TRACK_SECONDS),
        '-vn',
        '-ac',
        '1',
        '-ar',
        String(BEAT_RATE),
        '-f',
        'f32le',
        '-',
      ],
      { encoding: 'buffer', slots: 1, maxBuffer: (MAX_PLANNED_TRACK_SECONDS + 1) * BEAT_RATE * 4 },
    );
    pcm = stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new CutlineError('FFMPEG_UNAVAILABLE', `ffmpeg was not found (${bin})`);
    const refused = refusalOf(e.stderr?.toString('utf8') ?? '', at);
    if (refused) throw refused;
    throw new CutlineError('SOURCE_UNREADABLE', `${at}: the track could not be decoded`, [
      { path: at, message: 'could not be decoded' },
    ]);
  }
  // Float32Array needs 4-byte alignment; a Buffer from the pool may not have it.
  const bytes = pcm.byteOffset % 4 === 0 ? pcm : new Uint8Array(pcm);
  const samples = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
  return analyzeBeats(samples);
}
