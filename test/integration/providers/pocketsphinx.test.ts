import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { pocketsphinxTranscriber } from '../../../lambdas/core/providers/transcription/pocketsphinx.js';
import { readProviderSettings } from '../../../lambdas/core/providers/settings.js';
import { ffmpeg } from '../../helpers/media.js';
import { speechVideo, wordErrorRate, SPEECH_GAP } from '../../helpers/speech.js';

const settings = readProviderSettings({}, () => true);
let speech: Awaited<ReturnType<typeof speechVideo>>;
let wav: string;

beforeAll(async () => {
  speech = await speechVideo();
  wav = join(await mkdtemp(join(tmpdir(), 'cutline-sphinx-')), 'speech.wav');
  await ffmpeg(['-i', speech.path, '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', wav]);
}, 120_000);

/** The local recognizer on real recorded speech (LibriVox, with its reference transcription). */
describe('pocketsphinx transcriber', () => {
  it('recognizes most words of the recordings, each timed inside the speech and none in the pauses', async () => {
    const t = pocketsphinxTranscriber(settings.pocketsphinx);
    const total = speech.spans.at(-1)!.end + SPEECH_GAP;
    const step = await t.start({
      audioPath: wav,
      hash: 'x',
      durationSeconds: total,
      language: 'en-US',
      jobId: 'j',
    });
    if (!('words' in step)) throw new Error('pocketsphinx answered with a wait');
    const words = step.words;
    const reference = speech.spans.flatMap((s) => s.words);
    const wer = wordErrorRate(
      reference,
      words.map((w) => w.text),
    );
    // pocketsphinx gets about four in five of these words (README, bench: transcription).
    expect(wer).toBeLessThan(0.35);
    for (const w of words) {
      expect(w.end).toBeGreaterThan(w.start);
      // Every word lies in a recording (a frame of slack at each edge), never in a pause between them.
      const inSpeech = speech.spans.some((s) => w.start >= s.start - 0.05 && w.end <= s.end + 0.05);
      expect(inSpeech, `${w.text} ${w.start}–${w.end}`).toBe(true);
    }
    // Each recording's last word ends a sentence (the pause after it is the boundary).
    const ends = words.filter((w) => w.text.endsWith('.'));
    expect(ends.length).toBeGreaterThanOrEqual(speech.spans.length);
  }, 120_000);
});
