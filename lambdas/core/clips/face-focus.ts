import type { FocusKeyframe } from '../edit/schema.js';
import type { FaceBox, FaceTrack } from '../providers/faces/types.js';
import { REFRAME, simplify, smoothPath } from './reframe.js';

/**
 * Face reframing, pure: a face track (any engine's) in, a smooth focus path for one clip out, through
 * the same smoothing as auto reframing (zero-phase exponential average, bounded speed, thinned keys).
 *
 * Per sample the followed face is the largest; the face followed before is kept while it is at least
 * `keepRatio` of the largest's area (two people of a size do not make the crop swing between them).
 * Samples without a face hold the previous centre; a clip without any face has no path (centre framing).
 */
export const FACE_FOCUS = {
  keepRatio: 0.6,
} as const;

const area = (f: FaceBox) => f.w * f.h;
const centre = (f: FaceBox) => ({ x: f.x + f.w / 2, y: f.y + f.h / 2 });

/** The face to follow in one sample, given the centre followed in the sample before. */
export function followedFace(
  faces: readonly FaceBox[],
  previous: { x: number; y: number } | undefined,
): FaceBox | undefined {
  if (!faces.length) return undefined;
  const largest = faces.reduce((a, b) => (area(b) > area(a) ? b : a));
  if (!previous) return largest;
  const near = faces.reduce((a, b) => {
    const da = Math.hypot(centre(a).x - previous.x, centre(a).y - previous.y);
    const db = Math.hypot(centre(b).x - previous.x, centre(b).y - previous.y);
    return db < da ? b : a;
  });
  return area(near) >= FACE_FOCUS.keepRatio * area(largest) ? near : largest;
}

/** Centres of the followed face on a regular grid over [start, end) (null: no face seen there). */
export function faceCentres(
  track: FaceTrack,
  range: { start: number; end: number },
): Array<{ x: number; y: number } | null> {
  const step = track.step;
  const n = Math.max(1, Math.floor((range.end - range.start) / step + 1e-9) + 1);
  const samples = track.samples;
  const out: Array<{ x: number; y: number } | null> = [];
  let previous: { x: number; y: number } | undefined;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const t = range.start + i * step;
    if (t > range.end) break;
    // The sample nearest t (samples are in time order), if it is within half a step.
    while (k + 1 < samples.length && Math.abs(samples[k + 1]!.t - t) <= Math.abs(samples[k]!.t - t)) k++;
    const s = samples[k];
    const face = s && Math.abs(s.t - t) <= step / 2 + 1e-9 ? followedFace(s.faces, previous) : undefined;
    if (face) previous = centre(face);
    out.push(face ? centre(face) : null);
  }
  return out;
}

/** The focus path of one clip (times from the clip's start), or undefined when no face is in it. */
export function faceFocus(
  track: FaceTrack,
  range: { start: number; end: number },
  opts = REFRAME,
): FocusKeyframe[] | undefined {
  const centres = faceCentres(track, range);
  if (!centres.some((c) => c)) return undefined;
  const xs = smoothPath(
    centres.map((c) => c?.x ?? null),
    track.step,
    opts,
  );
  const ys = smoothPath(
    centres.map((c) => c?.y ?? null),
    track.step,
    opts,
  );
  const r = (v: number) => Math.round(v * 1000) / 1000;
  const keys = xs.map((x, i) => ({ time: r(i * track.step), x: r(x), y: r(ys[i]!) }));
  return simplify(keys, opts.tolerance);
}
