import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SynthesizeSpeechCommand, type PollyClient } from '@aws-sdk/client-polly';
import { CutlineError } from '../../errors.js';
import { probeFile } from '../../media/probe.js';
import type { Word } from '../../text/transcript.js';
import { refusal } from '../refusal.js';
import { billedCharacters, isSsml } from './ssml.js';
import type { Speech, Voice } from './types.js';

/** One speech mark of Polly's `json` output (one JSON object per line). */
interface Mark {
  time: number;
  type: string;
  start?: number;
  end?: number;
  value: string;
}

/**
 * Polly's word marks into timed words: a word starts at its mark and ends where the next word (or a
 * sentence mark after it) starts, or at the end of the audio. Pure.
 */
export function wordsFromMarks(jsonLines: string, durationSeconds: number): Word[] {
  const marks = jsonLines
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Mark)
    .filter((m) => m.type === 'word');
  return marks.map((m, i) => {
    const next = marks[i + 1];
    const end = next ? next.time / 1000 : durationSeconds;
    return { text: m.value, start: m.time / 1000, end: Math.max(m.time / 1000, end) };
  });
}

/**
 * Amazon Polly: the speech (MP3) and its word speech marks, two SynthesizeSpeech calls with the same text,
 * voice and engine (Polly returns marks and audio from separate requests). SSML when the text is `<speak>`.
 */
export function pollyVoice(opts: { client: PollyClient; engine: string; defaultVoice: string }): Voice {
  return {
    name: 'polly',
    async synthesize(req, dir, at): Promise<Speech> {
      const common = {
        Engine: opts.engine as never,
        VoiceId: (req.voice ?? opts.defaultVoice) as never,
        Text: req.text,
        TextType: isSsml(req.text) ? ('ssml' as const) : ('text' as const),
        ...(req.language ? { LanguageCode: req.language as never } : {}),
      };
      const call = async (input: ConstructorParameters<typeof SynthesizeSpeechCommand>[0]) => {
        try {
          const res = await opts.client.send(new SynthesizeSpeechCommand(input));
          if (!res.AudioStream)
            throw new CutlineError('RENDER_FAILED', `${at}: Amazon Polly returned no audio`, [], true);
          return Buffer.from(await res.AudioStream.transformToByteArray());
        } catch (err) {
          const e = refusal('Amazon Polly', err);
          if (e.code === 'VALIDATION_FAILED')
            throw new CutlineError(e.code, `${at}: ${e.message}`, [
              { path: `${at}.text`, message: e.message },
            ]);
          throw e;
        }
      };
      const audio = await call({ ...common, OutputFormat: 'mp3', SampleRate: '24000' });
      const path = join(dir, 'speech.mp3');
      await writeFile(path, audio);
      const probe = await probeFile(path, at);
      const duration = probe.durationSeconds ?? 0;
      const marks = (await call({ ...common, OutputFormat: 'json', SpeechMarkTypes: ['word'] })).toString(
        'utf8',
      );
      return {
        path,
        durationSeconds: duration,
        words: wordsFromMarks(marks, duration),
        characters: billedCharacters(req.text),
      };
    },
  };
}
