import { CutlineError } from '../errors.js';

/** One spoken word, in seconds from the start of the media. */
export interface Word {
  start: number;
  end: number;
  text: string;
}

const bad = (message: string) =>
  new CutlineError('VALIDATION_FAILED', `transcript: ${message}`, [{ path: 'asset.src', message }]);

const num = (v: unknown): number | undefined => {
  const x = typeof v === 'string' && v.trim() ? Number(v) : v;
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
};

/**
 * Word-level transcript JSON, in the shapes tools actually write:
 * - `{ "words": [{ "word" | "text", "start", "end" }] }` or the bare array (Whisper-style, Deepgram-style);
 * - Amazon Transcribe's output, `{ "results": { "items": [{ "type": "pronunciation" | "punctuation",
 *   "start_time", "end_time", "alternatives": [{ "content" }] }] } }`: punctuation is glued to the word
 *   before it.
 * Words must have 0 ≤ start ≤ end and come in time order; anything else names the word's index.
 */
export function parseTranscript(content: string): Word[] {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  const obj = json as { words?: unknown; results?: { items?: unknown } };
  const words: Word[] = [];
  if (obj && typeof obj === 'object' && !Array.isArray(obj) && obj.results && 'items' in obj.results) {
    const items = obj.results.items;
    if (!Array.isArray(items)) throw bad('results.items must be an array');
    items.forEach((raw, i) => {
      const it = raw as { type?: string; start_time?: unknown; end_time?: unknown; alternatives?: unknown };
      const alt = Array.isArray(it.alternatives) ? (it.alternatives[0] as { content?: unknown }) : undefined;
      const text = typeof alt?.content === 'string' ? alt.content : undefined;
      if (!text) throw bad(`results.items[${i}] has no alternatives[0].content`);
      if (it.type === 'punctuation') {
        const last = words.at(-1);
        if (last) last.text += text;
        return;
      }
      const start = num(it.start_time);
      const end = num(it.end_time);
      if (start === undefined || end === undefined)
        throw bad(`results.items[${i}] needs start_time and end_time`);
      words.push({ start, end, text });
    });
  } else {
    const list = Array.isArray(json) ? json : obj?.words;
    if (!Array.isArray(list))
      throw bad(
        'expected { "words": [{ "word", "start", "end" }] }, an array of words, or Transcribe output',
      );
    list.forEach((raw, i) => {
      const w = raw as {
        word?: unknown;
        text?: unknown;
        punctuated_word?: unknown;
        start?: unknown;
        end?: unknown;
      };
      const text = [w.punctuated_word, w.word, w.text].find((t): t is string => typeof t === 'string');
      const start = num(w.start);
      const end = num(w.end);
      if (!text?.trim() || start === undefined || end === undefined)
        throw bad(`words[${i}] needs "word" (or "text"), "start" and "end" in seconds`);
      words.push({ start, end, text: text.trim() });
    });
  }
  words.forEach((w, i) => {
    if (w.start < 0 || w.end < w.start) throw bad(`word ${i} ("${w.text}") ends before it starts`);
    if (i > 0 && w.start < words[i - 1]!.start) throw bad(`word ${i} ("${w.text}") is out of time order`);
  });
  if (!words.length) throw bad('the transcript has no words');
  return words;
}

/** When a caption cue ends and the next begins, for transcripts (chosen for readable social captions). */
export const CUE_RULES = {
  /** Characters on screen at once. */
  maxChars: 32,
  /** Seconds a cue may last. */
  maxSeconds: 3,
  /** A pause longer than this starts a new cue. */
  maxGap: 0.6,
} as const;

/** Groups words into cues: a new cue after sentence punctuation, a long pause, or the length limits. */
export function groupWords(words: readonly Word[], rules = CUE_RULES): Array<Word & { words: Word[] }> {
  const cues: Array<Word & { words: Word[] }> = [];
  let cur: Word[] = [];
  const flush = () => {
    if (!cur.length) return;
    cues.push({
      start: cur[0]!.start,
      end: cur.at(-1)!.end,
      text: cur.map((w) => w.text).join(' '),
      words: cur,
    });
    cur = [];
  };
  for (const w of words) {
    const prev = cur.at(-1);
    if (prev) {
      const chars = cur.reduce((s, x) => s + x.text.length + 1, 0) + w.text.length;
      if (
        /[.?!]$/.test(prev.text) ||
        w.start - prev.end > rules.maxGap ||
        chars > rules.maxChars ||
        w.end - cur[0]!.start > rules.maxSeconds
      )
        flush();
    }
    cur.push({ ...w });
  }
  flush();
  return cues;
}
