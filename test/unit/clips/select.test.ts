import { describe, expect, it } from 'vitest';
import {
  sceneCutsFromMotion,
  scoreWindow,
  selectSegments,
  sentenceBoundaries,
  snapOutOfWords,
  type Signals,
} from '../../../lambdas/core/clips/select.js';

const STEP = 0.25;
/** A 30 s source: quiet and still, except a loud, busy stretch in [from, to). */
function signals(from: number, to: number, extra: Partial<Signals> = {}): Signals {
  const duration = 30;
  const motion = Array.from({ length: duration / STEP }, (_, i) =>
    i * STEP >= from && i * STEP < to ? 12 : 1,
  );
  const loudness = Array.from({ length: duration * 10 }, (_, i) => {
    const t = (i + 1) / 10;
    return { t, lufs: t > from && t <= to ? -14 : -45 };
  });
  return { duration, motionStep: STEP, motion, sceneCuts: [], loudness, silences: [], ...extra };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

describe('auto segment selection (pure)', () => {
  it('picks the loud, busy stretch', () => {
    const [seg] = selectSegments(signals(12, 18), { count: 1, length: 6 });
    expect(seg!.start).toBeGreaterThanOrEqual(11);
    expect(seg!.end).toBeLessThanOrEqual(19);
    expect(seg!.end - seg!.start).toBeGreaterThanOrEqual(4.5);
    expect(seg!.why.loud).toBeGreaterThan(0.7);
    expect(seg!.why.motion).toBeGreaterThan(0.7);
  });

  it('prefers windows that start and end on scene cuts or silences', () => {
    const s = signals(0, 30, { sceneCuts: [5], silences: [{ start: 10.8, end: 11.4 }] });
    const [seg] = selectSegments(s, { count: 1, length: 6 });
    expect(seg!.start).toBe(5);
    expect(seg!.end).toBeGreaterThanOrEqual(10.7);
    expect(seg!.end).toBeLessThanOrEqual(11.5);
    expect(seg!.why.edges).toBe(1);
  });

  it('returns count non-overlapping segments in time order', () => {
    const segs = selectSegments(signals(0, 30), { count: 4, length: 5 });
    expect(segs).toHaveLength(4);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.start).toBeGreaterThanOrEqual(segs[i - 1]!.end);
  });

  it('gives fewer segments when the source cannot hold more', () => {
    expect(selectSegments(signals(0, 30), { count: 10, length: 10 })).toHaveLength(3);
  });

  it('never cuts inside a word of the transcript', () => {
    // Words back to back, each 0.7 s with a 0.1 s gap: a grid cut at a whole second lands mid-word.
    const words = Array.from({ length: 37 }, (_, i) => ({
      start: i * 0.8,
      end: i * 0.8 + 0.7,
      text: `w${i}`,
    }));
    const segs = selectSegments(signals(0, 30, { words }), { count: 3, length: 5 });
    expect(segs.length).toBe(3);
    for (const seg of segs)
      for (const t of [seg.start, seg.end])
        for (const w of words) expect(t > w.start && t < w.end, `cut ${t} inside ${w.text}`).toBe(false);
  });

  it('with sentences, cuts land in the pauses between them, a silent stretch is never a clip, and why says so', () => {
    // Three sentences (each 4 words of 0.5 s, 0.1 s apart) with 3 s of silence between: 0–2.3, 5.3–7.6, 10.6–12.9.
    const words = [0, 5.3, 10.6].flatMap((t0, k) =>
      Array.from({ length: 4 }, (_, i) => ({
        start: round(t0 + i * 0.6),
        end: round(t0 + i * 0.6 + 0.5),
        text: i === 3 ? (k === 1 ? 'now?' : 'end.') : `w${k}${i}`,
      })),
    );
    const segs = selectSegments(signals(0, 20, { words }), { count: 2, length: 2.5 });
    expect(segs).toHaveLength(2);
    const bounds = sentenceBoundaries(words);
    for (const seg of segs) {
      for (const t of [seg.start, seg.end])
        expect(
          bounds.some((b) => Math.abs(b - t) < 1e-9),
          `${t}`,
        ).toBe(true);
      expect(words.some((w) => w.start >= seg.start && w.end <= seg.end)).toBe(true);
      expect(seg.why.completeness).toBe(1);
    }
    // The question is the better hook.
    const question = segs.find((s) => s.start > 5 && s.end < 8);
    expect(question?.why.hook).toBe(1);
  });

  it('snapOutOfWords moves a cut to the nearer word edge', () => {
    const words = [{ start: 1, end: 2, text: 'a' }];
    expect(snapOutOfWords(1.2, words)).toBe(1);
    expect(snapOutOfWords(1.8, words)).toBe(2);
    expect(snapOutOfWords(2.5, words)).toBe(2.5);
  });

  it('scores by the documented weights', () => {
    const s = signals(0, 30, { sceneCuts: [10] });
    const w = scoreWindow(s, 10, 16);
    expect(w.score).toBeCloseTo(0.45 * w.why.loud + 0.35 * w.why.motion + 0.2 * w.why.edges, 3);
    expect(w.why.edges).toBe(0.5);
  });

  it('finds scene cuts as sharp peaks of frame difference, not sustained motion', () => {
    const motion = Array.from({ length: 80 }, (_, i) => (i === 30 ? 60 : i >= 50 ? 30 : 2));
    expect(sceneCutsFromMotion(motion, STEP)).toEqual([7.5]);
  });
});
