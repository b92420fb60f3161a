import { aliasTarget, type Clip, type Edit } from '../edit/schema.js';
import { CutlineError, type IssueDetail } from '../errors.js';

/** A clip placed on the timeline in seconds: `start` and `length` resolved from "auto" / "end". */
export interface TimedClip {
  trackIndex: number;
  clipIndex: number;
  /** JSON path of the clip, for errors. */
  at: string;
  clip: Clip;
  start: number;
  length: number;
  end: number;
}

export interface ResolvedTimeline {
  /** Seconds: the end of the last clip. */
  duration: number;
  /** `tracks[0]` is the top layer, as in the edit. */
  tracks: TimedClip[][];
}

/** The natural length of a clip's asset, or null when it has none (images, text). */
export type IntrinsicLength = (clip: Clip, at: string) => number | null;

/** Shotstack: `length: "auto"` on an asset without a duration (image, title, text, …) lasts 3 seconds. */
export const STILL_AUTO_SECONDS = 3;

/** Clips by alias; a name given twice is reported at the second clip. */
function aliasIndex(edit: Edit, problems: IssueDetail[]): Map<string, { t: number; c: number }> {
  const index = new Map<string, { t: number; c: number }>();
  edit.timeline.tracks.forEach((track, t) =>
    track.clips.forEach((clip, c) => {
      if (clip.alias === undefined) return;
      if (index.has(clip.alias))
        problems.push({
          path: `timeline.tracks[${t}].clips[${c}].alias`,
          message: `alias "${clip.alias}" is already used by another clip`,
        });
      else index.set(clip.alias, { t, c });
    }),
  );
  return index;
}

/**
 * Pure: resolves `start: "auto"` (right after the previous clip on its track), `length: "auto"` (the
 * source's length after trim, at its speed; STILL_AUTO_SECONDS for stills), `"alias://name"` (the named
 * clip's start or length) and `length: "end"` (to the end of the timeline, which is set by the clips that
 * do not say "end").
 */
export function resolveTimeline(
  edit: Edit,
  intrinsic: IntrinsicLength,
  maxDurationSeconds = Infinity,
): ResolvedTimeline {
  const problems: IssueDetail[] = [];
  const pending: Array<{ timed: TimedClip; toEnd: boolean }> = [];
  const aliases = aliasIndex(edit, problems);
  const timed: TimedClip[][] = edit.timeline.tracks.map((track, t) =>
    track.clips.map((clip, c) => ({
      trackIndex: t,
      clipIndex: c,
      at: `timeline.tracks[${t}].clips[${c}]`,
      clip,
      start: 0,
      length: 0,
      end: 0,
    })),
  );
  // Each clip is placed once, on demand: "auto" needs the clip before it on its track, "alias://x" the
  // clip named x (anywhere). `state` catches reference cycles.
  const state = new Map<TimedClip, 'busy' | 'done'>();
  const place = (tc: TimedClip): TimedClip => {
    if (state.get(tc) === 'done') return tc;
    if (state.get(tc) === 'busy') {
      problems.push({ path: `${tc.at}.start`, message: 'alias references form a cycle' });
      return tc;
    }
    state.set(tc, 'busy');
    const { clip, at } = tc;
    const prev = tc.clipIndex > 0 ? timed[tc.trackIndex]![tc.clipIndex - 1] : undefined;
    const ref = (field: 'start' | 'length'): TimedClip | undefined => {
      const name = aliasTarget(clip[field]);
      if (name === undefined) return undefined;
      const target = aliases.get(name);
      if (!target) {
        problems.push({ path: `${at}.${field}`, message: `no clip has alias "${name}"` });
        return undefined;
      }
      return place(timed[target.t]![target.c]!);
    };
    if (clip.start === 'auto') tc.start = prev ? place(prev).end : 0;
    else if (typeof clip.start === 'number') tc.start = clip.start;
    else tc.start = ref('start')?.start ?? 0;
    if (typeof clip.length === 'number') tc.length = clip.length;
    else if (clip.length === 'auto') {
      const natural = intrinsic(clip, at);
      if (natural === null) {
        problems.push({
          path: `${at}.length`,
          message: `"auto" needs a source with a duration (video, audio or caption); give ${clip.asset.type} clips a number of seconds or "end"`,
        });
      } else if (natural <= 0) {
        problems.push({ path: `${at}.length`, message: 'the source has nothing left after trim' });
      } else tc.length = natural;
    } else if (clip.length === 'end') pending.push({ timed: tc, toEnd: true });
    else {
      const target = ref('length');
      if (target && target.clip.length === 'end')
        problems.push({ path: `${at}.length`, message: 'cannot refer to a clip whose length is "end"' });
      else if (target) tc.length = target.length;
    }
    tc.end = tc.start + tc.length;
    state.set(tc, 'done');
    return tc;
  };
  const tracks = timed.map((track) => track.map(place));
  const fixedEnd = Math.max(
    0,
    ...tracks
      .flat()
      .filter((c) => c.clip.length !== 'end')
      .map((c) => c.end),
  );
  for (const { timed } of pending) {
    if (fixedEnd <= timed.start) {
      problems.push({
        path: `${timed.at}.length`,
        message: `"end" resolves to nothing: the clip starts at ${timed.start} s but the other clips end at ${fixedEnd} s`,
      });
      continue;
    }
    timed.length = fixedEnd - timed.start;
    timed.end = fixedEnd;
  }
  if (problems.length)
    throw new CutlineError('VALIDATION_FAILED', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
  const duration = Math.max(0, ...tracks.flat().map((c) => c.end));
  if (duration <= 0) {
    throw new CutlineError('VALIDATION_FAILED', 'timeline: the timeline is empty', [
      { path: 'timeline', message: 'has no duration' },
    ]);
  }
  if (duration > maxDurationSeconds) {
    throw new CutlineError(
      'LIMIT_EXCEEDED',
      `timeline: lasts ${duration} s; the limit is ${maxDurationSeconds} s (maxDurationSeconds)`,
      [
        {
          path: 'timeline',
          message: `lasts ${duration} s; the limit is ${maxDurationSeconds} s (maxDurationSeconds)`,
        },
      ],
    );
  }
  return { duration, tracks };
}
