/**
 * Transcription bench: word error rate and speed of the local recognizer (pocketsphinx) on real recorded
 * speech (LibriVox, Debian's pocketsphinx-testdata, with its reference transcriptions), and on espeak-ng's
 * synthetic voice for contrast. Writes bench/results/transcription-latest.{json,md}.
 *
 *   npx tsx bench/transcription.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProviderSettings } from '../lambdas/core/providers/settings.js';
import { pocketsphinxTranscriber } from '../lambdas/core/providers/transcription/pocketsphinx.js';
import { espeakVoice } from '../lambdas/core/providers/voice/espeak.js';
import { librivox, wordErrorRate } from '../test/helpers/speech.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const settings = readProviderSettings(process.env, () => true);
const t = pocketsphinxTranscriber(settings.pocketsphinx);

const duration = (f: string) =>
  Number(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', f], {
      encoding: 'utf8',
    }),
  );

async function recognize(file: string) {
  const seconds = duration(file);
  const t0 = performance.now();
  const step = await t.start({
    audioPath: file,
    hash: 'bench',
    durationSeconds: seconds,
    language: 'en-US',
    jobId: 'bench',
  });
  const wall = (performance.now() - t0) / 1000;
  if (!('words' in step)) throw new Error('pocketsphinx answered with a wait');
  return { words: step.words.map((w) => w.text), seconds, wall };
}

const rows: Array<{ source: string; words: number; wer: number; audioSeconds: number; wallSeconds: number }> =
  [];
let refAll: string[] = [];
let hypAll: string[] = [];
for (const u of await librivox()) {
  const r = await recognize(u.file);
  rows.push({
    source: u.file.split('/').pop()!,
    words: u.words.length,
    wer: wordErrorRate(u.words, r.words),
    audioSeconds: r.seconds,
    wallSeconds: r.wall,
  });
  refAll = refAll.concat(u.words);
  hypAll = hypAll.concat(r.words);
}
// espeak-ng's voice, the same sentences: recognition of synthetic speech is much worse (timing tests use it).
const dir = await mkdtemp(join(tmpdir(), 'cutline-bench-tr-'));
let espRef: string[] = [];
let espHyp: string[] = [];
for (const [i, u] of (await librivox()).entries()) {
  const d = join(dir, String(i));
  execFileSync('mkdir', ['-p', d]);
  const speech = await espeakVoice(settings.espeak).synthesize(
    { text: u.words.join(' ') + '.', voice: 'en-us' },
    d,
    'bench',
  );
  const wav = join(d, 'speech16k.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', speech.path, '-ar', '16000', '-ac', '1', wav]);
  const r = await recognize(wav);
  espRef = espRef.concat(u.words);
  espHyp = espHyp.concat(r.words);
}
const audio = rows.reduce((s, r) => s + r.audioSeconds, 0);
const wall = rows.reduce((s, r) => s + r.wallSeconds, 0);
const result = {
  at: new Date().toISOString(),
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  engine: 'pocketsphinx (pocketsphinx-en-us)',
  librivox: { words: refAll.length, wer: wordErrorRate(refAll, hypAll), realTimeFactor: wall / audio, rows },
  espeak: { words: espRef.length, wer: wordErrorRate(espRef, espHyp) },
};
await writeFile(join(RESULTS, 'transcription-latest.json'), JSON.stringify(result, null, 2) + '\n');
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const md = [
  `# Transcription bench (${result.at})`,
  '',
  `Load average at the end: ${result.loadavg.join(', ')}. Engine: ${result.engine}.`,
  '',
  `| speech | words | word error rate | real-time factor |`,
  `| --- | ---: | ---: | ---: |`,
  `| LibriVox (5 recordings, ${audio.toFixed(1)} s) | ${refAll.length} | ${pct(result.librivox.wer)} | ${result.librivox.realTimeFactor.toFixed(2)} |`,
  `| espeak-ng, same sentences | ${espRef.length} | ${pct(result.espeak.wer)} | — |`,
  '',
  '| recording | words | WER | audio s | wall s |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.source} | ${r.words} | ${pct(r.wer)} | ${r.audioSeconds.toFixed(2)} | ${r.wallSeconds.toFixed(2)} |`,
  ),
  '',
].join('\n');
await writeFile(join(RESULTS, 'transcription-latest.md'), md);
console.log(md);
