import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { espeakVoice } from '../../../lambdas/core/providers/voice/espeak.js';
import { parseWav } from '../../../lambdas/core/providers/voice/wav.js';
import { CutlineError } from '../../../lambdas/core/errors.js';

const rms = (s: Int16Array, rate: number, a: number, b: number) => {
  const i0 = Math.max(0, Math.floor(a * rate));
  const i1 = Math.min(s.length, Math.ceil(b * rate));
  let sum = 0;
  for (let i = i0; i < i1; i++) sum += s[i]! * s[i]!;
  return i1 > i0 ? Math.sqrt(sum / (i1 - i0)) : 0;
};

/** espeak-ng word by word: real speech whose word timings are exact (sound inside each word, silence between). */
describe('espeak-ng voice', () => {
  it('every word is sound where its timing says, and the pauses (SSML break, full stop) are silent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-espeak-'));
    const speech = await espeakVoice('espeak-ng').synthesize(
      {
        text: '<speak>Hello there, world. <break time="800ms"/> Second sentence here.</speak>',
        voice: 'Joanna',
      },
      dir,
      'asset',
    );
    expect(speech.words.map((w) => w.text)).toEqual([
      'Hello',
      'there,',
      'world.',
      'Second',
      'sentence',
      'here.',
    ]);
    expect(speech.characters).toBe('Hello there, world.  Second sentence here.'.length);
    const { rate, samples } = parseWav(await readFile(speech.path));
    expect(speech.durationSeconds).toBeCloseTo(samples.length / rate, 3);
    for (const w of speech.words) expect(rms(samples, rate, w.start, w.end), w.text).toBeGreaterThan(500);
    for (let i = 1; i < speech.words.length; i++) {
      const gap = [speech.words[i - 1]!.end, speech.words[i]!.start] as const;
      expect(gap[1]).toBeGreaterThan(gap[0]);
      // Timings are rounded to the millisecond: a millisecond in from each edge the gap is digital silence.
      expect(rms(samples, rate, gap[0] + 0.001, gap[1] - 0.001), `between ${i - 1} and ${i}`).toBe(0);
    }
    // The break (800 ms) is longer than the full stop's pause alone would be.
    const world = speech.words[2]!;
    const second = speech.words[3]!;
    expect(second.start - world.end).toBeGreaterThan(0.799);
  }, 60_000);

  it('an unknown voice is a client error on the voice field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-espeak-'));
    const err = (await espeakVoice('espeak-ng')
      .synthesize({ text: 'hi', voice: 'zz-nope' }, dir, 'timeline.tracks[0].clips[0].asset')
      .catch((e: unknown) => e)) as CutlineError;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details[0]!.path).toBe('timeline.tracks[0].clips[0].asset.voice');
  });
});
