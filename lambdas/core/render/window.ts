import type { Rational } from './output-spec.js';

/** A half-open range of output frames `[startFrame, endFrame)` on the timeline's frame grid. */
export interface FrameWindow {
  startFrame: number;
  endFrame: number;
}

/** The first frame shown at or after `seconds` (a clip from 0.4 s at 25 fps first appears on frame 10). */
export function frameAt(seconds: number, fps: Rational): number {
  return Math.ceil((seconds * fps.num) / fps.den - 1e-6);
}

export function frameSeconds(frame: number, fps: Rational): number {
  return (frame * fps.den) / fps.num;
}

export function windowSeconds(w: FrameWindow, fps: Rational): { start: number; duration: number } {
  return { start: frameSeconds(w.startFrame, fps), duration: frameSeconds(w.endFrame - w.startFrame, fps) };
}
