import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { resolveTimeline, type IntrinsicLength } from '../../../lambdas/core/render/timeline.js';

type Json = Record<string, unknown>;
const edit = (...tracks: Json[][]) =>
  parseEdit({ timeline: { tracks: tracks.map((clips) => ({ clips })) }, output: { format: 'mp4' } });
const image = (start: unknown, length: unknown): Json => ({
  asset: { type: 'image', src: 'i.png' },
  start,
  length,
});
const video = (src: string, start: unknown, length: unknown, trim?: number): Json => ({
  asset: { type: 'video', src, ...(trim !== undefined ? { trim } : {}) },
  start,
  length,
});

/** Sources of known length, minus trim; null for assets without a duration. */
const DURATIONS: Record<string, number> = { 'a.mp4': 4, 'b.mp4': 2.5, 'c.mp3': 6 };
const intrinsic: IntrinsicLength = (clip: Clip) => {
  const a = clip.asset;
  if (a.type === 'video' || a.type === 'audio') return (DURATIONS[a.src] ?? 0) - (a.trim ?? 0);
  return null;
};

function errorOf(fn: () => unknown): CutlineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CutlineError) return err;
    throw err;
  }
  throw new Error('expected a CutlineError');
}

const spans = (t: ReturnType<typeof resolveTimeline>) =>
  t.tracks.map((track) => track.map((c) => [c.start, c.length, c.end]));

describe('resolveTimeline', () => {
  it('numbers pass through; the duration is the end of the last clip on any track', () => {
    const t = resolveTimeline(edit([image(0.5, 1)], [image(2, 1.25)]), intrinsic);
    expect(spans(t)).toEqual([[[0.5, 1, 1.5]], [[2, 1.25, 3.25]]]);
    expect(t.duration).toBe(3.25);
    expect(t.tracks[1]![0]).toMatchObject({ trackIndex: 1, clipIndex: 0, at: 'timeline.tracks[1].clips[0]' });
  });

  it('start "auto" follows the previous clip on its own track only', () => {
    const t = resolveTimeline(
      edit([image('auto', 1), image('auto', 2), image(10, 1), image('auto', 0.5)], [image('auto', 3)]),
      intrinsic,
    );
    expect(spans(t)).toEqual([
      [
        [0, 1, 1],
        [1, 2, 3],
        [10, 1, 11],
        [11, 0.5, 11.5],
      ],
      [[0, 3, 3]],
    ]);
  });

  it('length "auto" is the source length after trim, from the intrinsic function with the clip’s path', () => {
    const seen: string[] = [];
    const spy: IntrinsicLength = (clip, at) => {
      seen.push(at);
      return intrinsic(clip, at);
    };
    const t = resolveTimeline(edit([video('a.mp4', 0, 'auto', 1), video('b.mp4', 'auto', 'auto')]), spy);
    expect(spans(t)).toEqual([
      [
        [0, 3, 3],
        [3, 2.5, 5.5],
      ],
    ]);
    expect(seen).toEqual(['timeline.tracks[0].clips[0]', 'timeline.tracks[0].clips[1]']);
  });

  it('length "end" runs to the end set by the clips that do not say "end"', () => {
    const t = resolveTimeline(
      edit([image(0.5, 'end')], [video('a.mp4', 0, 'auto')], [image(1, 'end'), image(0, 2)]),
      intrinsic,
    );
    expect(spans(t)).toEqual([
      [[0.5, 3.5, 4]],
      [[0, 4, 4]],
      [
        [1, 3, 4],
        [0, 2, 2],
      ],
    ]);
    expect(t.duration).toBe(4);
  });

  it('"auto" on an image (no duration) is an error at the clip’s length', () => {
    const err = errorOf(() => resolveTimeline(edit([image(0, 1)], [image(0, 'auto')]), intrinsic));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual([
      {
        path: 'timeline.tracks[1].clips[0].length',
        message:
          '"auto" needs a source with a duration (video, audio or caption); give image clips a number of seconds or "end"',
      },
    ]);
    expect(err.message).toBe(`timeline.tracks[1].clips[0].length: ${err.details[0]!.message}`);
  });

  it('"auto" on a source trimmed past its end is an error', () => {
    const err = errorOf(() => resolveTimeline(edit([video('b.mp4', 0, 'auto', 2.5)]), intrinsic));
    expect(err.details).toEqual([
      { path: 'timeline.tracks[0].clips[0].length', message: 'the source has nothing left after trim' },
    ]);
  });

  it('"end" that resolves to nothing is an error; every such clip is reported', () => {
    const err = errorOf(() =>
      resolveTimeline(edit([image(0, 2)], [image(2, 'end'), image(5, 'end')]), intrinsic),
    );
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual([
      {
        path: 'timeline.tracks[1].clips[0].length',
        message: '"end" resolves to nothing: the clip starts at 2 s but the other clips end at 2 s',
      },
      {
        path: 'timeline.tracks[1].clips[1].length',
        message: '"end" resolves to nothing: the clip starts at 5 s but the other clips end at 2 s',
      },
    ]);
  });

  it('a timeline of only "end" clips has nothing to end at', () => {
    const err = errorOf(() => resolveTimeline(edit([image(0, 'end')]), intrinsic));
    expect(err.details[0]!.message).toBe(
      '"end" resolves to nothing: the clip starts at 0 s but the other clips end at 0 s',
    );
  });

  it('problems on several clips are reported together', () => {
    const err = errorOf(() =>
      resolveTimeline(edit([image(0, 'auto'), image(0, 1)], [image(3, 'end')]), intrinsic),
    );
    expect(err.details.map((d) => d.path)).toEqual([
      'timeline.tracks[0].clips[0].length',
      'timeline.tracks[1].clips[0].length',
    ]);
  });

  it('maxDurationSeconds applies to the resolved timeline (auto starts and lengths included)', () => {
    const e = edit([video('a.mp4', 'auto', 'auto'), video('a.mp4', 'auto', 'auto')]);
    expect(resolveTimeline(e, intrinsic, 8).duration).toBe(8);
    const err = errorOf(() => resolveTimeline(e, intrinsic, 7.5));
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.details).toEqual([
      { path: 'timeline', message: 'lasts 8 s; the limit is 7.5 s (maxDurationSeconds)' },
    ]);
    expect(err.message).toBe('timeline: lasts 8 s; the limit is 7.5 s (maxDurationSeconds)');
  });
});
