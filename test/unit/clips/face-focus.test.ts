import { describe, expect, it } from 'vitest';
import { faceCentres, faceFocus, followedFace } from '../../../lambdas/core/clips/face-focus.js';
import { REFRAME } from '../../../lambdas/core/clips/reframe.js';
import type { FocusKeyframe } from '../../../lambdas/core/edit/schema.js';
import type { FaceTrack } from '../../../lambdas/core/providers/faces/types.js';

const face = (cx: number, cy: number, size = 0.1, score = 0.9) => ({
  x: cx - size / 2,
  y: cy - size / 2,
  w: size,
  h: size,
  score,
});

/** The focus at time t, read off the keyframes as the renderer does (linear between keys). */
function at(keys: FocusKeyframe[], t: number): { x: number; y: number } {
  const i = keys.findIndex((k) => k.time >= t);
  if (i <= 0) return keys[i === 0 ? 0 : keys.length - 1]!;
  const a = keys[i - 1]!;
  const b = keys[i]!;
  const f = (t - a.time) / (b.time - a.time);
  return { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y) };
}

/** Deterministic jitter in ±amp (no Math.random: the test must give the same answer every run). */
const jitter = (i: number, amp: number) => amp * Math.sin(i * 12.9898) * Math.cos(i * 78.233);

describe('face reframe (pure)', () => {
  it('follows a face moving across the frame, smoothly, through jitter and missed detections', () => {
    const step = 0.5;
    const truth = (t: number) => 0.15 + 0.1 * t; // 0.15 → 0.75 over 6 s
    const track: FaceTrack = {
      engine: 'test',
      step,
      samples: Array.from({ length: 13 }, (_, i) => ({
        t: i * step,
        // Every fourth sample the detector saw nothing.
        faces: i % 4 === 3 ? [] : [face(truth(i * step) + jitter(i, 0.015), 0.3 + jitter(i + 7, 0.015))],
      })),
    };
    const keys = faceFocus(track, { start: 0, end: 6 })!;
    expect(keys[0]!.time).toBe(0);
    expect(keys.at(-1)!.time).toBe(6);
    for (let t = 0; t <= 6; t += 0.25) {
      const p = at(keys, t);
      expect(Math.abs(p.x - truth(t)), `x at ${t}`).toBeLessThan(0.05);
      expect(Math.abs(p.y - 0.3), `y at ${t}`).toBeLessThan(0.03);
    }
    // Smooth: never faster than the bounded speed, and always moving the same way (no jitter left).
    for (let i = 1; i < keys.length; i++) {
      const dt = keys[i]!.time - keys[i - 1]!.time;
      const dx = keys[i]!.x - keys[i - 1]!.x;
      expect(Math.abs(dx) / dt).toBeLessThanOrEqual(REFRAME.maxSpeed + 0.002);
      expect(dx).toBeGreaterThan(-0.002);
    }
  });

  it('a clip in the middle of the source: times from the clip start, the face where it is then', () => {
    const track: FaceTrack = {
      engine: 'test',
      step: 0.5,
      samples: Array.from({ length: 21 }, (_, i) => ({ t: i * 0.5, faces: [face(i < 10 ? 0.2 : 0.8, 0.4)] })),
    };
    const keys = faceFocus(track, { start: 6, end: 9 })!;
    expect(keys[0]!.time).toBe(0);
    expect(keys.at(-1)!.time).toBe(3);
    for (const k of keys) expect(k.x).toBeCloseTo(0.8, 2);
  });

  it('follows the largest face, and keeps the one it follows while another of about its size appears', () => {
    const small = face(0.2, 0.5, 0.05);
    const big = face(0.7, 0.5, 0.2);
    expect(followedFace([small, big], undefined)).toBe(big);
    expect(followedFace([small, big], { x: 0.2, y: 0.5 })).toBe(big);
    const a = face(0.3, 0.5, 0.1);
    const b = face(0.7, 0.5, 0.11);
    expect(followedFace([a, b], { x: 0.3, y: 0.5 })).toBe(a);
    expect(followedFace([a, b], undefined)).toBe(b);
    // In a track: the speaker on the left stays followed when a slightly larger face enters on the right.
    const track: FaceTrack = {
      engine: 'test',
      step: 0.5,
      samples: Array.from({ length: 9 }, (_, i) => ({ t: i * 0.5, faces: i < 4 ? [a] : [b, a] })),
    };
    expect(faceCentres(track, { start: 0, end: 4 }).every((c) => c && Math.abs(c.x - 0.3) < 1e-9)).toBe(true);
  });

  it('irregular samples (a service that lists only frames with faces): gaps hold, nearest sample wins', () => {
    const track: FaceTrack = {
      engine: 'rekognition',
      step: 0.2,
      samples: [
        { t: 0.0, faces: [face(0.3, 0.5)] },
        { t: 0.2, faces: [face(0.32, 0.5)] },
        { t: 1.6, faces: [face(0.5, 0.5)] },
      ],
    };
    const centres = faceCentres(track, { start: 0, end: 2 });
    expect(centres).toHaveLength(11);
    expect(centres[0]!.x).toBeCloseTo(0.3);
    expect(centres[1]!.x).toBeCloseTo(0.32);
    expect(centres.slice(2, 8)).toEqual([null, null, null, null, null, null]);
    expect(centres[8]!.x).toBeCloseTo(0.5);
    const keys = faceFocus(track, { start: 0, end: 2 })!;
    // The gap holds (with the smoothing's glide), never jumps past the faces seen.
    for (const k of keys) expect(k.x).toBeGreaterThanOrEqual(0.29);
    for (const k of keys) expect(k.x).toBeLessThanOrEqual(0.51);
  });

  it('a clip with no face in it has no path (centre framing)', () => {
    const track: FaceTrack = {
      engine: 'test',
      step: 0.5,
      samples: Array.from({ length: 9 }, (_, i) => ({ t: i * 0.5, faces: i > 6 ? [face(0.7, 0.5)] : [] })),
    };
    expect(faceFocus(track, { start: 0, end: 3 })).toBeUndefined();
    expect(faceFocus(track, { start: 3, end: 4 })).toBeDefined();
  });
});
