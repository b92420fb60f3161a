import { describe, expect, it } from 'vitest';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import { isOpaqueFullFrame, isOpaquePixelFormat, planBase } from '../../../lambdas/core/render/base.js';

const window = { startFrame: 0, endFrame: 100 };

describe('planBase', () => {
  it('two clips with a crossfade: only the overlap is blended', () => {
    const plan = planBase(
      [
        { startFrame: 0, endFrame: 55, fadeEndFrame: 0 },
        { startFrame: 50, endFrame: 100, fadeEndFrame: 56 },
      ],
      window,
    );
    expect(plan).toEqual([
      { startFrame: 0, endFrame: 50, bottom: 0, fading: [] },
      { startFrame: 50, endFrame: 55, bottom: 0, fading: [1] },
      // The first clip has ended, the second still fades in: over the background, as the layered path draws it.
      { startFrame: 55, endFrame: 56, bottom: null, fading: [1] },
      { startFrame: 56, endFrame: 100, bottom: 1, fading: [] },
    ]);
  });

  it('gaps are background, a clip hidden by a later opaque one is not used, spans merge', () => {
    const plan = planBase(
      [
        { startFrame: 10, endFrame: 40, fadeEndFrame: 10 },
        { startFrame: 20, endFrame: 30, fadeEndFrame: 20 },
      ],
      window,
    );
    expect(plan).toEqual([
      { startFrame: 0, endFrame: 10, bottom: null, fading: [] },
      { startFrame: 10, endFrame: 20, bottom: 0, fading: [] },
      { startFrame: 20, endFrame: 30, bottom: 1, fading: [] },
      { startFrame: 30, endFrame: 40, bottom: 0, fading: [] },
      { startFrame: 40, endFrame: 100, bottom: null, fading: [] },
    ]);
  });

  it('a window cuts the plan; pieces always tile it exactly', () => {
    const clips = [
      { startFrame: 0, endFrame: 60, fadeEndFrame: 0 },
      { startFrame: 50, endFrame: 100, fadeEndFrame: 61 },
    ];
    const plan = planBase(clips, { startFrame: 52, endFrame: 75 });
    expect(plan[0]!.startFrame).toBe(52);
    expect(plan[plan.length - 1]!.endFrame).toBe(75);
    for (let k = 1; k < plan.length; k++) expect(plan[k]!.startFrame).toBe(plan[k - 1]!.endFrame);
    expect(plan.map((p) => [p.bottom, p.fading])).toEqual([
      [0, [1]],
      [null, [1]],
      [1, []],
    ]);
  });
});

describe('isOpaqueFullFrame', () => {
  const viewport = { width: 320, height: 180 };
  const full = { ...viewport, x: 0, y: 0 };
  const probe = { pixelFormat: 'yuv420p', durationSeconds: 4, hasVideo: true };
  const video = (extra: Record<string, unknown> = {}, asset: Record<string, unknown> = {}) =>
    ({ asset: { type: 'video', src: 'a.mp4', ...asset }, start: 0, length: 3, ...extra }) as unknown as Clip;

  it('a plain full-frame video or image with no alpha', () => {
    expect(isOpaqueFullFrame(video(), probe, full, viewport, 3)).toBe(true);
    expect(isOpaqueFullFrame(video({ effect: 'zoomIn', filter: 'boost' }), probe, full, viewport, 3)).toBe(
      true,
    );
    const image = { asset: { type: 'image', src: 'a.jpg' }, start: 0, length: 3 } as unknown as Clip;
    expect(isOpaqueFullFrame(image, { ...probe, pixelFormat: 'yuvj420p' }, full, viewport, 3)).toBe(true);
  });

  it('anything that lets the layer below show keeps the layered path', () => {
    expect(isOpaqueFullFrame(video(), { ...probe, pixelFormat: 'yuva420p' }, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video(), { ...probe, pixelFormat: undefined }, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video(), probe, { ...full, x: 2 }, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video(), probe, { ...full, width: 160 }, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({ opacity: 0.5 }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({ transition: { out: 'fade' } }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({ transform: { rotate: { angle: 5 } } }), probe, full, viewport, 3)).toBe(
      false,
    );
    expect(isOpaqueFullFrame(video({}, { chromaKey: { color: '#00ff00' } }), probe, full, viewport, 3)).toBe(
      false,
    );
    // Properties it does not know (added by a later feature) are not assumed harmless.
    expect(isOpaqueFullFrame(video({ luma: true }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({}, { speed: 2 }), probe, full, viewport, 3)).toBe(false);
  });

  it('tweens, skew, a luma matte over the clip or a luma clip itself keep the layered path', () => {
    const tween = [{ from: 0, to: 1, start: 0, length: 3 }];
    expect(isOpaqueFullFrame(video({ scale: tween }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({ offset: { x: tween } }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({ offset: { y: tween } }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video({ opacity: tween }), probe, full, viewport, 3)).toBe(false);
    expect(
      isOpaqueFullFrame(video({ transform: { rotate: { angle: tween } } }), probe, full, viewport, 3),
    ).toBe(false);
    expect(isOpaqueFullFrame(video({ transform: { skew: { x: 0.2 } } }), probe, full, viewport, 3)).toBe(
      false,
    );
    expect(isOpaqueFullFrame(video({ transition: { in: 'carouselLeft' } }), probe, full, viewport, 3)).toBe(
      false,
    );
    // A luma matte on the track masks the clip: its alpha is no longer full.
    expect(isOpaqueFullFrame(video(), probe, full, viewport, 3, true)).toBe(false);
    const luma = { asset: { type: 'luma', src: 'm.mp4' }, start: 0, length: 3 } as unknown as Clip;
    expect(isOpaqueFullFrame(luma, probe, full, viewport, 3)).toBe(false);
    // A flip and a fixed offset of 0 stay on the fast path.
    expect(
      isOpaqueFullFrame(
        video({ offset: { x: 0 }, transform: { flip: { horizontal: true } } }),
        probe,
        full,
        viewport,
        3,
      ),
    ).toBe(true);
  });

  it('a video shorter than its clip keeps the layered path (the join needs every frame)', () => {
    expect(isOpaqueFullFrame(video({}, { trim: 1.5 }), probe, full, viewport, 3)).toBe(false);
    expect(isOpaqueFullFrame(video(), { ...probe, durationSeconds: null }, full, viewport, 3)).toBe(false);
  });

  it('pixel formats', () => {
    for (const f of ['yuv420p', 'yuvj422p', 'yuv420p10le', 'nv12', 'gray', 'rgb24', 'gbrp'])
      expect([f, isOpaquePixelFormat(f)]).toEqual([f, true]);
    for (const f of ['yuva420p', 'rgba', 'bgra', 'argb', 'ya8', 'gbrap', 'pal8', undefined])
      expect([f, isOpaquePixelFormat(f)]).toEqual([f, false]);
  });
});
