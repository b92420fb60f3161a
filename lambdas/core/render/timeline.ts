import type { Clip, Edit } from '../edit/schema.js';
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

/**
 * Pure: resolves `start: "auto"` (right after the previous clip on its track), `length: "auto"` (the
 * source's length after trim) and `length: "end"` (to the end of the timeline, which is set by the clips
 * that do not say "end").
 */
export function resolveTimeline(
  edit: Edit,
  intrinsic: IntrinsicLength,
  maxDurationSeconds = Infinity,
): ResolvedTimeline {
  const problems: IssueDetail[] = [];
  const pending: Array<{ timed: TimedClip; toEnd: boolean }> = [];
  const tracks = edit.timeline.tracks.map((track, t) => {
    let cursor = 0;
    return track.clips.map((clip, c) => {
      const at = `timeline.tracks[${t}].clips[${c}]`;
      const start = clip.start === 'auto' ? cursor : clip.start;
      let length = 0;
      if (typeof clip.length === 'number') length = clip.length;
      else if (clip.length === 'auto') {
        const natural = intrinsic(clip, at);
        if (natural === null) {
          problems.push({
            path: `${at}.length`,
            message: `"auto" needs a source with a duration (video, audio or caption); give ${clip.asset.type} clips a number of seconds or "end"`,
          });
        } else if (natural <= 0) {
          problems.push({ path: `${at}.length`, message: 'the source has nothing left after trim' });
        } else length = natural;
      }
      const timed: TimedClip = { trackIndex: t, clipIndex: c, at, clip, start, length, end: start + length };
      if (clip.length === 'end') pending.push({ timed, toEnd: true });
      cursor = timed.end;
      return timed;
    });
  });
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
