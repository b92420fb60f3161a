import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from './fixtures.js';
import { ffmpeg } from './media.js';

/** The LibriVox recordings of Debian's pocketsphinx-testdata, unpacked by .ci/speech-testdata. */
export function librivoxDir(): string {
  return execFileSync(join(import.meta.dirname, '../../.ci/speech-testdata'), { encoding: 'utf8' }).trim();
}

export interface Utterance {
  file: string;
  words: string[];
}

/** The recordings with their reference words, in the order of the `fileids` list. */
export async function librivox(): Promise<Utterance[]> {
  const dir = librivoxDir();
  const lines = (await readFile(join(dir, 'transcription'), 'utf8')).trim().split('\n');
  return lines.map((line) => {
    const m = /^<s> (.*) <\/s> \((\S+)\)$/.exec(line.trim());
    if (!m) throw new Error(`unexpected transcription line: ${line}`);
    return { file: join(dir, `${m[2]}.wav`), words: m[1]!.split(/\s+/) };
  });
}

/** Word error rate: (substitutions + deletions + insertions) / reference words, by edit distance. */
export function wordErrorRate(reference: readonly string[], hypothesis: readonly string[]): number {
  const norm = (w: string) => w.toLowerCase().replace(/[^a-z0-9']/g, '');
  const r = reference.map(norm).filter(Boolean);
  const h = hypothesis.map(norm).filter(Boolean);
  let prev = Array.from({ length: h.length + 1 }, (_, j) => j);
  for (let i = 1; i <= r.length; i++) {
    const cur = [i];
    for (let j = 1; j <= h.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (r[i - 1] === h[j - 1] ? 0 : 1));
    prev = cur;
  }
  return r.length ? prev[h.length]! / r.length : 0;
}

/** Seconds of silence between the recordings in speechVideo. */
export const SPEECH_GAP = 2;

/**
 * A 320×180 video whose sound is the LibriVox recordings one after another with SPEECH_GAP seconds of
 * silence between (and before the first): real speech with known pauses. Returns where each recording lies.
 */
export async function speechVideo(): Promise<{
  path: string;
  spans: Array<{ start: number; end: number; words: string[] }>;
}> {
  const utterances = await librivox();
  const spans: Array<{ start: number; end: number; words: string[] }> = [];
  let t = SPEECH_GAP;
  const durations = utterances.map((u) =>
    Number(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', u.file], {
        encoding: 'utf8',
      }),
    ),
  );
  utterances.forEach((u, i) => {
    spans.push({ start: t, end: t + durations[i]!, words: u.words });
    t += durations[i]! + SPEECH_GAP;
  });
  const path = join(FIXTURES, 'librivox-speech-black.mp4');
  if (!existsSync(path)) {
    await mkdir(FIXTURES, { recursive: true });
    const inputs = utterances.flatMap((u) => ['-i', u.file]);
    const pad = `anullsrc=r=16000:cl=mono:d=${SPEECH_GAP}`;
    const parts = utterances.map((_, i) => `[${i + 1}:a]`);
    const graph =
      `${pad}[g0];` +
      utterances.map((_, i) => `${pad}[g${i + 1}]`).join(';') +
      ';[g0]' +
      parts.map((p, i) => `${p}[g${i + 1}]`).join('') +
      `concat=n=${utterances.length * 2 + 1}:v=0:a=1[a]`;
    const tmp = `${path}.tmp${process.pid}.mp4`;
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `color=c=black:s=320x180:r=25:d=${t}`,
      ...inputs,
      '-filter_complex',
      graph,
      '-map',
      '0:v',
      '-map',
      '[a]',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-ar',
      '48000',
      '-shortest',
      tmp,
    ]);
    await rename(tmp, path);
  }
  return { path, spans };
}
