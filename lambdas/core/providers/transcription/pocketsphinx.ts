import { CutlineError } from '../../errors.js';
import { execManaged } from '../../media/processes.js';
import type { Word } from '../../text/transcript.js';
import type { Transcriber } from './types.js';

/** Fillers pocketsphinx reports between words: sentence marks, silence, noise ([NOISE], [SPEECH], ++…++). */
const NOT_A_WORD = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/;
/** One word line of `-time yes`: word, start, end (seconds of the stream), confidence. */
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/;

/**
 * pocketsphinx_continuous `-time yes` output into words. Each utterance (speech between pauses) is a
 * hypothesis line followed by its word lines; alternate pronunciations are marked `word(2)`. pocketsphinx
 * writes no punctuation, so the last word of an utterance gets a full stop: the pause it found is the best
 * sentence boundary there is, and captions and clip cuts both break there.
 */
export function parsePocketsphinx(stdout: string): Word[] {
  const words: Word[] = [];
  let utterance: Word[] = [];
  const close = () => {
    const last = utterance.at(-1);
    if (last && !/[.?!]$/.test(last.text)) last.text += '.';
    words.push(...utterance);
    utterance = [];
  };
  for (const line of stdout.split('\n')) {
    const m = WORD_LINE.exec(line.trim());
    if (!m) continue;
    const token = m[1]!;
    if (token === '<s>') close();
    if (NOT_A_WORD.test(token)) continue;
    utterance.push({ text: token.replace(/\(\d+\)$/, ''), start: Number(m[2]), end: Number(m[3]) });
  }
  close();
  return words;
}

/** CMU Sphinx's offline recognizer (Debian pocketsphinx + pocketsphinx-en-us). */
export function pocketsphinxTranscriber(opts: { bin: string; model?: string }): Transcriber {
  // A model folder in Debian's layout (pocketsphinx-en-us): the acoustic model, language model, dictionary.
  const model = opts.model
    ? [
        '-hmm',
        `${opts.model}/en-us`,
        '-lm',
        `${opts.model}/en-us.lm.bin`,
        '-dict',
        `${opts.model}/cmudict-en-us.dict`,
      ]
    : [];
  return {
    name: 'pocketsphinx',
    async start(input) {
      if (!/^en/i.test(input.language))
        throw new CutlineError(
          'NOT_SUPPORTED',
          `the local recognizer (pocketsphinx, US English model) knows English only, not ${input.language}; set CUTLINE_WHISPER and CUTLINE_WHISPER_MODEL to a multilingual whisper.cpp model`,
          [{ path: 'language', message: `no local model for ${input.language}` }],
        );
      try {
        const { stdout } = await execManaged(
          opts.bin,
          ['-infile', input.audioPath, ...model, '-time', 'yes', '-logfn', '/dev/null'],
          // Real-time factor is about 0.5 on one core; twice the audio plus a minute is generous.
          { timeoutMs: Math.round((input.durationSeconds * 2 + 60) * 1000), maxBuffer: 64 * 1024 * 1024 },
        );
        return { words: parsePocketsphinx(stdout) };
      } catch (err) {
        throw new CutlineError(
          'RENDER_FAILED',
          `transcription failed: pocketsphinx: ${(err as Error).message}`,
          [],
          true,
        );
      }
    },
  };
}
