import type { Word } from '../text/transcript.js';

/**
 * Auto clip selection, pure: measured signals in, scored non-overlapping segments out.
 *
 * What is measured (clips/analyze.ts, all by ffmpeg on the source):
 * - `motion`: per video sample (4 per second), the mean absolute difference of consecutive 64-px-wide
 *   grayscale frames (0–255) — how much the picture changes;
 * - `sceneCuts`: samples whose difference is a sharp local peak (sceneCutsFromMotion);
 * - `loudness`: EBU R128 momentary loudness (LUFS, 400 ms window) every 100 ms;
 * - `silences`: silencedetect intervals (−35 dB for 0.4 s or longer).
 *
 * How a candidate [start, end) is scored (0–1), and nothing more clever than this:
 *   score = 0.45·loud + 0.35·motion + 0.20·edges
 * - loud: the mean momentary loudness over the window, mapped linearly from −50 LUFS (0) to −10 LUFS (1);
 * - motion: the mean picture change over the window divided by the source's 90th percentile (capped at 1);
 * - edges: ½ for each end that falls on a natural boundary (a scene cut, or inside or at the edge of a
 *   silence) — cuts there do not chop a shot or a sentence.
 * Candidates start at every boundary and every whole second; each ends at the boundary nearest
 * `start + length` within ±25 % (else exactly there). With a transcript every cut point is moved out of
 * the word it falls in (to that word's nearer edge), so no clip starts or ends mid-word; candidates cut on
 * sentence boundaries (sentenceBoundaries) come first, windows without a word are dropped (silence), and
 * the score becomes SPEECH_WEIGHTS over loud, motion, edges, hook, completeness and speech. The best
 * candidates are taken greedily (ties: length nearest the target, then earlier), never overlapping, and
 * returned in time order.
 */
export interface Signals {
  duration: number;
  /** Seconds between motion samples. */
  motionStep: number;
  motion: number[];
  sceneCuts: number[];
  loudness: Array<{ t: number; lufs: number }>;
  silences: Array<{ start: number; end: number }>;
  words?: Word[];
}

export interface SelectOptions {
  count: number;
  /** Target length in seconds. */
  length: number;
}

export interface Segment {
  start: number;
  end: number;
  score: number;
  /**
   * The score's parts, for the job result (so a person can see why a segment was chosen). With a
   * transcript also `hook` (the opening sentence grabs: a question, an exclamation, or short and direct),
   * `completeness` (both cuts on sentence boundaries) and `speech` (the share of the window spoken).
   */
  why: {
    loud: number;
    motion: number;
    edges: number;
    hook?: number;
    completeness?: number;
    speech?: number;
    /** The ranking model's reason, when a model ranked the candidates. */
    reason?: string;
  };
}

export const WEIGHTS = { loud: 0.45, motion: 0.35, edges: 0.2 } as const;
/** With a transcript, what is said weighs most: a complete thought with a hook beats a loud fragment. */
export const SPEECH_WEIGHTS = {
  loud: 0.2,
  motion: 0.1,
  edges: 0.1,
  hook: 0.2,
  completeness: 0.25,
  speech: 0.15,
} as const;

/** A pause longer than this between words ends a sentence even without punctuation (recognizers write none). */
const SENTENCE_PAUSE = 0.6;

/**
 * Where sentences end and begin, as cut points in the pause between them (at most 0.25 s from the words,
 * never past the pause's middle), plus the start of speech. A sentence ends at . ? ! or at a pause longer than SENTENCE_PAUSE. Pure.
 */
export function sentenceBoundaries(words: readonly Word[]): number[] {
  if (!words.length) return [];
  const cuts = [round3(Math.max(0, words[0]!.start - Math.min(0.25, words[0]!.start / 2)))];
  words.forEach((w, i) => {
    const next = words[i + 1];
    const gap = next ? next.start - w.end : Infinity;
    if (!/[.?!]["')\]]*$/.test(w.text) && gap <= SENTENCE_PAUSE) return;
    const pad = Math.min(0.25, (next ? gap : 0.5) / 2);
    // Just after the sentence (an end) and just before the next (a start): both in the pause.
    cuts.push(round3(w.end + pad));
    if (next) cuts.push(round3(next.start - pad));
  });
  return [...new Set(cuts)].sort((a, b) => a - b);
}

/** The transcript's terms of a window (see Segment.why). */
function speechTerms(words: readonly Word[], boundaries: readonly number[], start: number, end: number) {
  const inside = words.filter((w) => w.start >= start - 1e-6 && w.end <= end + 1e-6);
  const spoken = inside.reduce((t, w) => t + (w.end - w.start), 0);
  const on = (t: number) => boundaries.some((b) => Math.abs(b - t) < 0.05);
  const firstEnd = inside.findIndex((w) => /[.?!]["')\]]*$/.test(w.text));
  const opening = inside.slice(0, firstEnd >= 0 ? firstEnd + 1 : Math.min(inside.length, 12));
  const last = opening.at(-1)?.text ?? '';
  const hook = !inside.length ? 0 : /[?!]["')\]]*$/.test(last) ? 1 : opening.length <= 8 ? 0.7 : 0.4;
  return {
    words: inside.length,
    hook,
    completeness: ((on(start) ? 1 : 0) + (on(end) ? 1 : 0)) / 2,
    speech: round3(clamp01(spoken / Math.max(1e-6, end - start))),
  };
}
const LUFS_FLOOR = -50;
const LUFS_CEIL = -10;

/** Scene cuts: differences above 20 levels that are at least 3× the median of their ±2 s neighbourhood. */
export function sceneCutsFromMotion(motion: readonly number[], step: number): number[] {
  const cuts: number[] = [];
  const reach = Math.max(1, Math.round(2 / step));
  for (let i = 1; i < motion.length; i++) {
    const v = motion[i]!;
    if (v < 20) continue;
    const around = motion.slice(Math.max(0, i - reach), i).concat(motion.slice(i + 1, i + 1 + reach));
    const sorted = [...around].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
    if (v >= 3 * Math.max(median, 2)) cuts.push(round3(i * step));
  }
  return cuts;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Moves t out of any word it falls inside, to that word's nearer edge. */
export function snapOutOfWords(t: number, words: readonly Word[] | undefined): number {
  if (!words) return t;
  for (const w of words) {
    if (t > w.start && t < w.end) return t - w.start <= w.end - t ? w.start : w.end;
  }
  return t;
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Scores one window (see the module comment). */
export function scoreWindow(
  s: Signals,
  start: number,
  end: number,
  motionScale = percentile(s.motion, 0.9),
): Segment {
  const louds = s.loudness.filter((l) => l.t > start && l.t <= end).map((l) => l.lufs);
  const loud = louds.length ? clamp01((mean(louds) - LUFS_FLOOR) / (LUFS_CEIL - LUFS_FLOOR)) : 0;
  const i0 = Math.ceil(start / s.motionStep);
  const i1 = Math.max(i0 + 1, Math.floor(end / s.motionStep));
  // Cut spikes are not "motion": a hard cut is scored by the edges term, not by the change it makes.
  const cutIdx = new Set(s.sceneCuts.map((c) => Math.round(c / s.motionStep)));
  const moves = s.motion.slice(i0 + 1, i1).filter((_, k) => !cutIdx.has(i0 + 1 + k));
  const motion = motionScale > 0 ? clamp01(mean(moves) / motionScale) : 0;
  const natural = (t: number) =>
    t <= 0 ||
    t >= s.duration - 0.05 ||
    s.sceneCuts.some((c) => Math.abs(c - t) <= s.motionStep) ||
    s.silences.some((q) => t >= q.start - 0.1 && t <= q.end + 0.1);
  const edges = ((natural(start) ? 1 : 0) + (natural(end) ? 1 : 0)) / 2;
  if (s.words?.length) {
    const t = speechTerms(s.words, sentenceBoundaries(s.words), start, end);
    const W = SPEECH_WEIGHTS;
    const score =
      W.loud * loud +
      W.motion * motion +
      W.edges * edges +
      W.hook * t.hook +
      W.completeness * t.completeness +
      W.speech * t.speech;
    return {
      start,
      end,
      score: round3(score),
      why: {
        loud: round3(loud),
        motion: round3(motion),
        edges,
        hook: t.hook,
        completeness: t.completeness,
        speech: t.speech,
      },
    };
  }
  const score = WEIGHTS.loud * loud + WEIGHTS.motion * motion + WEIGHTS.edges * edges;
  return {
    // Not rounded: a rounded cut could land a hair inside the word it was moved out of.
    start,
    end,
    score: round3(score),
    why: { loud: round3(loud), motion: round3(motion), edges },
  };
}

/** The `count` best non-overlapping segments of about `length` seconds, in time order. */
function candidatesOn(
  s: Signals,
  length: number,
  boundaries: number[],
  grid: boolean,
  strict: boolean,
): Segment[] {
  const starts = new Set<number>(boundaries.filter((t) => t < s.duration));
  if (grid) for (let t = 0; t + length <= s.duration + 1e-6; t += 1) starts.add(snapOutOfWords(t, s.words));
  const scale = percentile(s.motion, 0.9);
  const candidates: Segment[] = [];
  for (const start of starts) {
    const target = start + length;
    const near = boundaries
      .filter((b) => b >= start + 0.75 * length && b <= start + 1.25 * length)
      .sort((a, b) => Math.abs(a - target) - Math.abs(b - target))[0];
    if (strict && near === undefined) continue;
    const end = Math.min(s.duration, near ?? snapOutOfWords(target, s.words));
    if (end - start < 0.75 * length) continue;
    // With a transcript, a window nobody speaks in is silence, not a clip.
    if (s.words?.length && !s.words.some((w) => w.start >= start && w.end <= end)) continue;
    candidates.push(scoreWindow(s, start, end, scale));
  }
  // Ties go to the length closest to the target, then to the earlier start.
  const off = (c: Segment) => Math.abs(c.end - c.start - length);
  return candidates.sort((a, b) => b.score - a.score || off(a) - off(b) || a.start - b.start);
}

/**
 * The `count` best non-overlapping segments of about `length` seconds, in time order. With a transcript,
 * segments cut on sentence boundaries come first (whole thoughts); only when too few fit do cuts on
 * pauses, scene cuts and the grid (still never inside a word) fill the rest.
 */
export function selectSegments(s: Signals, opts: SelectOptions): Segment[] {
  const { length } = opts;
  const fit = (t: number) => snapOutOfWords(Math.min(s.duration, Math.max(0, t)), s.words);
  const sentences = s.words?.length ? sentenceBoundaries(s.words).map(fit) : [];
  const general = [
    0,
    s.duration,
    ...s.sceneCuts,
    ...s.silences.flatMap((q) => [q.start, q.end, (q.start + q.end) / 2]),
  ]
    .map(fit)
    .sort((a, b) => a - b);
  const candidates = [
    ...(sentences.length >= 2 ? candidatesOn(s, length, sentences, false, true) : []),
    ...candidatesOn(s, length, general, true, false),
  ];
  const picked: Segment[] = [];
  for (const c of candidates) {
    if (picked.length >= opts.count) break;
    if (picked.every((p) => c.end <= p.start || c.start >= p.end)) picked.push(c);
  }
  return picked.sort((a, b) => a.start - b.start);
}
