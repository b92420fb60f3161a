import { describe, expect, it } from 'vitest';
import { EFFECTS, TRANSITIONS } from '../../../lambdas/core/edit/schema.js';
import {
  curveValue,
  effectSpec,
  linear,
  moveTween,
  progress,
  shuffleGeometry,
  transitionSpec,
} from '../../../lambdas/core/render/motion.js';

describe('transitionSpec', () => {
  it('plain names last 1 s, Slow 2 s, Fast 0.5 s', () => {
    expect(transitionSpec('fade', 10)).toEqual({ kind: 'fade', duration: 1, curve: 'smooth' });
    expect(transitionSpec('fadeSlow', 10)).toEqual({ kind: 'fade', duration: 2, curve: 'smooth' });
    expect(transitionSpec('fadeFast', 10)).toEqual({ kind: 'fade', duration: 0.5, curve: 'smooth' });
    expect(transitionSpec('wipeLeftSlow', 10)).toEqual({ kind: 'wipeLeft', duration: 2 });
    expect(transitionSpec('zoomFast', 10)).toEqual({ kind: 'zoom', duration: 0.4, curve: 'easeIn' });
    expect(transitionSpec('zoomSlow', 10)).toEqual({ kind: 'zoom', duration: 0.4, curve: 'easeIn' });
  });

  it('never lasts more than half the clip', () => {
    expect(transitionSpec('fadeSlow', 3)).toEqual({ kind: 'fade', duration: 1.5, curve: 'smooth' });
    expect(transitionSpec('fade', 1)).toEqual({ kind: 'fade', duration: 0.5, curve: 'smooth' });
    expect(transitionSpec('fadeFast', 0.6)).toEqual({ kind: 'fade', duration: 0.3, curve: 'smooth' });
    expect(transitionSpec('fade', 2)).toEqual({ kind: 'fade', duration: 1, curve: 'smooth' });
  });

  it('aliases: reveal → wipeRight, with its speeds', () => {
    expect(transitionSpec('reveal', 10)).toEqual({ kind: 'wipeRight', duration: 1 });
    expect(transitionSpec('revealSlow', 10)).toEqual({ kind: 'wipeRight', duration: 2 });
  });

  it("slides and carousels are Shotstack's quick moves: 0.5 s, Fast 0.25 s, Slow 2 s", () => {
    expect(transitionSpec('carouselLeft', 10)).toEqual({ kind: 'carouselLeft', duration: 0.5 });
    expect(transitionSpec('carouselRightFast', 10)).toEqual({ kind: 'carouselRight', duration: 0.25 });
    expect(transitionSpec('carouselUpSlow', 10)).toEqual({ kind: 'carouselUp', duration: 2 });
    expect(transitionSpec('slideDown', 10)).toEqual({ kind: 'slideDown', duration: 0.5, curve: 'smooth' });
    expect(transitionSpec('slideLeftFast', 10)).toEqual({
      kind: 'slideLeft',
      duration: 0.25,
      curve: 'smooth',
    });
    expect(transitionSpec('slideRight', 0.6)).toEqual({ kind: 'slideRight', duration: 0.3, curve: 'smooth' });
  });

  it("VeryFast is 0.25 s for every transition but zoom (Shotstack's player)", () => {
    expect(transitionSpec('fadeVeryFast', 10)).toEqual({ kind: 'fade', duration: 0.25, curve: 'smooth' });
    expect(transitionSpec('carouselLeftVeryFast', 10)).toEqual({ kind: 'carouselLeft', duration: 0.25 });
    expect(transitionSpec('wipeRightVeryFast', 10)).toEqual({ kind: 'wipeRight', duration: 0.25 });
    expect(transitionSpec('shuffleTopRightVeryFast', 10)).toEqual({
      kind: 'shuffleTopRight',
      duration: 0.25,
    });
    expect(transitionSpec('zoomVeryFast', 10)).toEqual({ kind: 'zoom', duration: 0.4, curve: 'easeIn' });
    expect(transitionSpec('shuffleLeftBottom', 10)).toEqual({ kind: 'shuffleLeftBottom', duration: 1 });
  });

  it('zoom fades in on easeIn and out on easeOut; fades and slides on smooth', () => {
    expect(transitionSpec('zoom', 10, false)).toEqual({ kind: 'zoom', duration: 0.4, curve: 'easeOut' });
    expect(transitionSpec('fade', 10, false)).toEqual({ kind: 'fade', duration: 1, curve: 'smooth' });
    expect(transitionSpec('slideUp', 10, false)).toEqual({ kind: 'slideUp', duration: 0.5, curve: 'smooth' });
  });

  it("the player's one-step bezier: smooth is smoothstep of 2p − p²", () => {
    for (const p of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) {
      const t = 2 * p - p * p;
      expect(curveValue(p, 'smooth')).toBeCloseTo(3 * t * t - 2 * t * t * t, 12);
    }
    expect(curveValue(0.25, 'smooth')).toBeCloseTo(0.4067, 4);
    expect(curveValue(0.5, 'smooth')).toBeCloseTo(0.84375, 5);
    expect(curveValue(-1, 'smooth')).toBe(0);
    expect(curveValue(2, 'smooth')).toBe(1);
  });

  it('shuffles come from the side named first, half a frame towards the second, turned 30°', () => {
    expect(shuffleGeometry('shuffleTopRight')).toEqual({ x: 0.5, y: -1, angle: 30 });
    expect(shuffleGeometry('shuffleRightTop')).toEqual({ x: 1, y: -0.5, angle: 30 });
    expect(shuffleGeometry('shuffleBottomLeft')).toEqual({ x: -0.5, y: 1, angle: -30 });
    expect(shuffleGeometry('shuffleLeftBottom')).toEqual({ x: -1, y: 0.5, angle: -30 });
  });

  it('no name, no transition', () => {
    expect(transitionSpec(undefined, 10)).toBeUndefined();
    expect(transitionSpec('', 10)).toBeUndefined();
  });

  it('every transition the schema accepts maps to a kind the compiler draws', () => {
    const drawn = [
      'fade',
      'wipeLeft',
      'wipeRight',
      'slideLeft',
      'slideRight',
      'slideUp',
      'slideDown',
      'carouselLeft',
      'carouselRight',
      'carouselUp',
      'carouselDown',
      'zoom',
      ...[
        'TopRight',
        'RightTop',
        'RightBottom',
        'BottomRight',
        'BottomLeft',
        'LeftBottom',
        'LeftTop',
        'TopLeft',
      ].map((c) => `shuffle${c}`),
    ];
    // 21 names, each plain, Slow, Fast and VeryFast.
    expect(TRANSITIONS).toHaveLength(84);
    for (const name of TRANSITIONS) expect(drawn).toContain(transitionSpec(name, 10)!.kind);
  });
});

describe('effectSpec', () => {
  it("Shotstack's amounts: zooms reach 1.3× (Slow 1.1×, Fast 1.7×), slides pan 24 % (Slow 6 %, Fast 40 %)", () => {
    expect(effectSpec('zoomIn')).toEqual({ kind: 'zoomIn', amount: 0.3 });
    expect(effectSpec('zoomOutSlow')).toEqual({ kind: 'zoomOut', amount: 0.1 });
    expect(effectSpec('zoomInFast')).toEqual({ kind: 'zoomIn', amount: 0.7 });
    expect(effectSpec('slideLeft')).toEqual({ kind: 'slideLeft', amount: 0.24 });
    expect(effectSpec('slideUpSlow')).toEqual({ kind: 'slideUp', amount: 0.06 });
    expect(effectSpec('slideDownFast')).toEqual({ kind: 'slideDown', amount: 0.4 });
    expect(effectSpec(undefined)).toBeUndefined();
  });

  it('every effect the schema accepts has a known kind', () => {
    const kinds = ['zoomIn', 'zoomOut', 'slideLeft', 'slideRight', 'slideUp', 'slideDown'];
    expect(EFFECTS).toHaveLength(18);
    for (const name of EFFECTS) expect(kinds).toContain(effectSpec(name)!.kind);
  });
});

describe('progress and linear expressions', () => {
  it('linear clips (v - start) / duration to [0, 1]', () => {
    expect(linear('t', 1.5, 0.5)).toBe('clip((t-1.5)/0.5,0,1)');
  });

  it('progress is the smoothstep of linear', () => {
    const p = 'clip((T-0)/1,0,1)';
    expect(progress('T', 0, 1)).toBe(`(${p}*${p}*(3-2*${p}))`);
  });

  it('numbers in expressions have no float noise', () => {
    expect(linear('t', 0.1 + 0.2, 1 / 3)).toBe('clip((t-0.3)/0.333333,0,1)');
  });
});

describe('moveTween (moving transitions as keyframes, pixels y down)', () => {
  it('carousels push a whole frame (vertically 1.05 in, 1.1 out); slides nudge 2.5 %', () => {
    const left = transitionSpec('carouselLeft', 10)!;
    expect(moveTween(left, 'x', true, 0)).toEqual([{ from: 1, to: 0, start: 0, length: 0.5 }]);
    expect(moveTween(left, 'y', true, 0)).toEqual([]);
    const up = transitionSpec('carouselUp', 10)!;
    expect(moveTween(up, 'y', true, 0)).toEqual([{ from: 1.05, to: 0, start: 0, length: 0.5 }]);
    expect(moveTween(up, 'y', false, 9.5)).toEqual([
      { from: 0, to: -1.1, start: 9.5, length: 0.5, interpolation: 'bezier', easing: 'ease' },
    ]);
    expect(moveTween(transitionSpec('slideRight', 10)!, 'x', true, 0)).toEqual([
      { from: -0.025, to: 0, start: 0, length: 0.5 },
    ]);
  });
});
