import { readFile } from 'node:fs/promises';
import { CutlineError } from '../../errors.js';
import { execManaged } from '../../media/processes.js';
import type { Word } from '../../text/transcript.js';
import type { Transcriber } from './types.js';

/**
 * whisper.cpp's `-oj` JSON with one word per segment (`-ml 1 -sow`): `transcription[].offsets.{from,to}`
 * in milliseconds and `text` (the word with its leading space and punctuation).
 */
export function parseWhisperJson(content: string): Word[] {
  const json = JSON.parse(content) as {
    transcription?: Array<{ offsets?: { from?: number; to?: number }; text?: string }>;
  };
  if (!Array.isArray(json.transcription)) throw new Error('whisper.cpp JSON has no transcription array');
  const words: Word[] = [];
  for (const seg of json.transcription) {
    const text = (seg.text ?? '').trim();
    const from = seg.offsets?.from;
    const to = seg.offsets?.to;
    if (!text || typeof from !== 'number' || typeof to !== 'number' || /^\[.*\]$/.test(text)) continue;
    // A lone punctuation segment belongs to the word before it.
    if (/^[.,?!;:]+$/.test(text) && words.length) words.at(-1)!.text += text;
    else words.push({ text, start: from / 1000, end: Math.max(from, to) / 1000 });
  }
  return words;
}

/** whisper.cpp (the user's binary and ggml model file: CUTLINE_WHISPER, CUTLINE_WHISPER_MODEL). */
export function whisperTranscriber(opts: { bin: string; model: string }): Transcriber {
  return {
    name: 'whisper',
    async start(input) {
      const base = `${input.audioPath}.whisper`;
      const lang = input.language.split('-')[0]!.toLowerCase();
      try {
        await execManaged(
          opts.bin,
          [
            '-m',
            opts.model,
            '-f',
            input.audioPath,
            '-l',
            lang,
            '-ml',
            '1',
            '-sow',
            '-oj',
            '-of',
            base,
            '-np',
          ],
          { timeoutMs: Math.round((input.durationSeconds * 4 + 120) * 1000) },
        );
        return { words: parseWhisperJson(await readFile(`${base}.json`, 'utf8')) };
      } catch (err) {
        throw new CutlineError(
          'RENDER_FAILED',
          `transcription failed: whisper.cpp: ${(err as Error).message}`,
        );
      }
    },
  };
}
