import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CutlineError } from '../../errors.js';
import { execManaged } from '../../media/processes.js';
import type { Word } from '../../text/transcript.js';
import { billedCharacters, speechPieces, type Piece } from './ssml.js';
import type { Speech, Voice } from './types.js';
import { parseWav, trimSilence, writeWav, type Pcm } from './wav.js';

/** Silence between two words of a phrase, and before the first. */
export const WORD_GAP_SECONDS = 0.07;
const LEAD_SECONDS = 0.05;

/**
 * Shotstack's and Polly's voice names, spoken by the nearest espeak-ng voice (language and gender), so an
 * edit written for Polly renders locally. Any other name is taken as an espeak-ng voice (`en`, `de`, `en-us+f3`).
 */
export const POLLY_TO_ESPEAK: Record<string, string> = {
  Joanna: 'en-us+f3',
  Kendra: 'en-us+f2',
  Kimberly: 'en-us+f4',
  Salli: 'en-us+f1',
  Ivy: 'en-us+f5',
  Ruth: 'en-us+f3',
  Danielle: 'en-us+f2',
  Matthew: 'en-us+m3',
  Joey: 'en-us+m1',
  Justin: 'en-us+m4',
  Kevin: 'en-us+m5',
  Stephen: 'en-us+m2',
  Gregory: 'en-us+m6',
  Amy: 'en-gb+f3',
  Emma: 'en-gb+f2',
  Brian: 'en-gb+m3',
  Arthur: 'en-gb+m2',
  Olivia: 'en-gb+f4',
  Nicole: 'en-gb+f1',
  Russell: 'en-gb+m1',
  Aria: 'en-gb+f5',
  Ayanda: 'en-gb+f2',
  Geraint: 'en-gb-x-gbcwmd',
};

/** What espeak-ng is asked to say for a caption word: its letters, without surrounding punctuation. */
const spoken = (token: string) => token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '') || token;

/**
 * Joins per-word recordings (silence trimmed) with the pieces' pauses: the word timings are exact, since
 * the assembly places every word. Pure.
 */
export function assemble(
  pieces: Piece[],
  recordings: Int16Array[],
  rate: number,
): { pcm: Pcm; words: Word[] } {
  const out: Int16Array[] = [];
  const words: Word[] = [];
  let at = Math.round(LEAD_SECONDS * rate);
  out.push(new Int16Array(at));
  let k = 0;
  let first = true;
  for (const p of pieces) {
    if ('pause' in p) {
      const n = Math.round(p.pause * rate);
      out.push(new Int16Array(n));
      at += n;
      first = true;
      continue;
    }
    for (const text of p.words) {
      const rec = recordings[k++]!;
      if (!first) {
        const gap = Math.round(WORD_GAP_SECONDS * rate);
        out.push(new Int16Array(gap));
        at += gap;
      }
      first = false;
      words.push({ text, start: at / rate, end: (at + rec.length) / rate });
      out.push(rec);
      at += rec.length;
    }
  }
  const samples = new Int16Array(at);
  let o = 0;
  for (const part of out) {
    samples.set(part, o);
    o += part.length;
  }
  return {
    pcm: { rate, samples },
    words: words.map((w) => ({ ...w, start: round3(w.start), end: round3(w.end) })),
  };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * espeak-ng, word by word: each word is synthesized on its own (silence trimmed) and the words are joined
 * with short gaps and the text's pauses, so every word's start and end is known exactly — espeak-ng's
 * command line reports no timings, and captions must match the voice. Its intonation is per word.
 */
export function espeakVoice(bin: string): Voice {
  return {
    name: 'espeak',
    async synthesize(req, dir, at): Promise<Speech> {
      const voice = req.voice ? (POLLY_TO_ESPEAK[req.voice] ?? req.voice) : 'en';
      const pieces = speechPieces(req.text);
      const tokens = pieces.flatMap((p) => ('words' in p ? p.words : []));
      if (!tokens.length)
        throw new CutlineError('VALIDATION_FAILED', `${at}.text has no words to speak`, [
          { path: `${at}.text`, message: 'no words to speak' },
        ]);
      const recordings: Int16Array[] = new Array(tokens.length);
      let rate = 22050;
      const one = async (i: number) => {
        const base = join(dir, `word-${i}`);
        // The text goes through a file, never argv: a leading "-" or any quoting stays text.
        await writeFile(`${base}.txt`, spoken(tokens[i]!), 'utf8');
        try {
          await execManaged(bin, ['-v', voice, '-f', `${base}.txt`, '-w', `${base}.wav`], {
            timeoutMs: 60_000,
          });
        } catch (err) {
          const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
          if (/voice/i.test(stderr) && req.voice)
            throw new CutlineError(
              'VALIDATION_FAILED',
              `${at}.voice: espeak-ng has no voice "${req.voice}"`,
              [
                {
                  path: `${at}.voice`,
                  message: `unknown voice "${req.voice}" (espeak-ng --voices lists them)`,
                },
              ],
            );
          throw new CutlineError(
            'RENDER_FAILED',
            `${at}: espeak-ng failed: ${stderr || (err as Error).message}`,
            [],
            true,
          );
        }
        const pcm = parseWav(await readFile(`${base}.wav`));
        rate = pcm.rate;
        recordings[i] = trimSilence(pcm.samples);
      };
      // A few at a time: each is a short process; the machine's other work keeps its cores.
      for (let i = 0; i < tokens.length; i += 4)
        await Promise.all(tokens.slice(i, i + 4).map((_, j) => one(i + j)));
      const { pcm, words } = assemble(pieces, recordings, rate);
      const path = join(dir, 'speech.wav');
      await writeFile(path, writeWav(pcm));
      return {
        path,
        durationSeconds: pcm.samples.length / pcm.rate,
        words,
        characters: billedCharacters(req.text),
      };
    },
  };
}
