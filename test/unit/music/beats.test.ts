import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { analyzeBeats, BEAT_RATE, beatCuts } from '../../../lambdas/core/music/beats.js';

/** Mono PCM at BEAT_RATE of an ffmpeg aevalsrc expression, `seconds` long. */
function pcm(expr: string, seconds: number): Float32Array {
  const out = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `aevalsrc='${expr}':s=44100:d=${seconds}`,
      '-ac',
      '1',
      '-ar',
      String(BEAT_RATE),
      '-f',
      'f32le',
      '-',
    ],
    { maxBuffer: 1 << 28 },
  );
  return new Float32Array(new Uint8Array(out).buffer);
}

/** Distance of each beat from the nearest multiple of the period (phase 0). */
const phaseErrors = (beats: number[], period: number) =>
  beats.map((b) => Math.abs(b - Math.round(b / period) * period));

describe('beat tracking', () => {
  it('finds the beats of a 120 BPM click track, each within a frame of the truth', () => {
    const r = analyzeBeats(pcm('if(lt(mod(t,0.5),0.005),sin(2*PI*1000*t),0)', 30));
    expect(r.tempo).toBeGreaterThan(118);
    expect(r.tempo).toBeLessThan(122);
    expect(r.beats.length).toBeGreaterThanOrEqual(58);
    expect(Math.max(...phaseErrors(r.beats, 0.5))).toBeLessThan(0.03);
  });

  it('finds 97 BPM kicks under noise (not an octave off)', () => {
    const p = 60 / 97;
    const r = analyzeBeats(
      pcm(`if(lt(mod(t,${p}),0.02),sin(2*PI*80*t)*exp(-mod(t,${p})*60),0)+0.05*(random(0)-0.5)`, 30),
    );
    expect(Math.abs(r.tempo - 97)).toBeLessThan(2);
    expect(r.beats.length).toBeGreaterThanOrEqual(46);
    expect(Math.max(...phaseErrors(r.beats, p))).toBeLessThan(0.03);
  });

  it('a held tone has no beats to speak of, and silence none', () => {
    expect(analyzeBeats(new Float32Array(BEAT_RATE * 5)).beats.length).toBeLessThanOrEqual(1);
    expect(analyzeBeats(new Float32Array(100)).beats).toEqual([]);
  });
});

describe('beat cuts', () => {
  const beats = Array.from({ length: 40 }, (_, i) => 0.5 * (i + 1)); // 120 BPM over 20.25 s

  it('cuts on the beat nearest each even share; lengths sum to the track', () => {
    const cuts = beatCuts(beats, 20.25, 4);
    expect(cuts.map((c) => c.start)).toEqual([0, 5, 10, 15]);
    expect(cuts.at(-1)!.length).toBe(5.25);
    expect(cuts.reduce((s, c) => s + c.length, 0)).toBeCloseTo(20.25, 9);
  });

  it('falls back to even shares where there are no beats, and never cuts twice on one beat', () => {
    expect(beatCuts([], 9, 3)).toEqual([
      { start: 0, length: 3 },
      { start: 3, length: 3 },
      { start: 6, length: 3 },
    ]);
    const dense = beatCuts([1], 4, 4);
    const starts = dense.map((c) => c.start);
    expect(new Set(starts).size).toBe(4);
    expect(dense.every((c) => c.length > 0)).toBe(true);
    expect(dense.reduce((s, c) => s + c.length, 0)).toBeCloseTo(4, 9);
  });
});
