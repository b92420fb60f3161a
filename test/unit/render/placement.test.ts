import { describe, expect, it } from 'vitest';
import type { Position } from '../../../lambdas/core/edit/schema.js';
import {
  cropLayer,
  even,
  titleOffsetInFrame,
  fitLayer,
  placeLayer,
  rotatedSize,
} from '../../../lambdas/core/render/placement.js';

const viewport = { width: 320, height: 180 };
const square = { width: 200, height: 200 };

describe('even', () => {
  it.each([
    [0, 2],
    [1, 2],
    [2.9, 2],
    [3, 4],
    [45, 46],
    [101, 102],
    [180, 180],
  ])('%s → %s', (n, e) => {
    expect(even(n)).toBe(e);
  });
});

describe('fitLayer', () => {
  it('crop (the default) fills the viewport keeping the aspect ratio, then cuts the overflow', () => {
    expect(fitLayer(square, viewport)).toEqual({
      scaled: { width: 320, height: 320 },
      layer: { width: 320, height: 180 },
    });
    expect(fitLayer(square, viewport, 'crop')).toEqual(fitLayer(square, viewport));
    // Landscape source into a portrait frame: scaled to the height, cropped at the sides.
    expect(fitLayer({ width: 1920, height: 1080 }, { width: 1080, height: 1920 }, 'crop')).toEqual({
      scaled: { width: 3414, height: 1920 },
      layer: { width: 1080, height: 1920 },
    });
  });

  it('crop with scale sizes the layer as a fraction of the viewport, made even', () => {
    expect(fitLayer(square, viewport, 'crop', 0.25)).toEqual({
      scaled: { width: 80, height: 80 },
      layer: { width: 80, height: 46 },
    });
  });

  it('cover stretches to the viewport (aspect ratio not kept)', () => {
    expect(fitLayer(square, viewport, 'cover')).toEqual({
      scaled: { width: 320, height: 180 },
      layer: { width: 320, height: 180 },
    });
    expect(fitLayer(square, viewport, 'cover', 0.5)).toEqual({
      scaled: { width: 160, height: 90 },
      layer: { width: 160, height: 90 },
    });
  });

  it('contain fits inside the viewport keeping the aspect ratio', () => {
    expect(fitLayer(square, viewport, 'contain')).toEqual({
      scaled: { width: 180, height: 180 },
      layer: { width: 180, height: 180 },
    });
    expect(fitLayer({ width: 333, height: 100 }, viewport, 'contain')).toEqual({
      scaled: { width: 320, height: 96 },
      layer: { width: 320, height: 96 },
    });
    expect(fitLayer(square, viewport, 'contain', 0.5).layer).toEqual({ width: 90, height: 90 });
  });

  it('none keeps the native size, times scale', () => {
    expect(fitLayer(square, viewport, 'none')).toEqual({ scaled: square, layer: square });
    expect(fitLayer(square, viewport, 'none', 0.5).layer).toEqual({ width: 100, height: 100 });
    expect(fitLayer({ width: 101, height: 51 }, viewport, 'none').layer).toEqual({ width: 102, height: 52 });
  });

  it('every fit mode gives even sizes, even for odd sources and scales', () => {
    for (const fit of ['crop', 'cover', 'contain', 'none'] as const) {
      for (const scale of [0.1, 0.33, 1, 1.7]) {
        const { scaled, layer } = fitLayer(
          { width: 333, height: 211 },
          { width: 854, height: 480 },
          fit,
          scale,
        );
        for (const v of [scaled.width, scaled.height, layer.width, layer.height]) expect(v % 2).toBe(0);
        expect(scaled.width).toBeGreaterThanOrEqual(layer.width);
        expect(scaled.height).toBeGreaterThanOrEqual(layer.height);
      }
    }
  });
});

describe('placeLayer', () => {
  // A 100×50 layer leaves 220×130 free.
  const layer = { width: 100, height: 50 };
  it.each([
    ['topLeft', 0, 0],
    ['top', 110, 0],
    ['topRight', 220, 0],
    ['left', 0, 65],
    ['center', 110, 65],
    ['right', 220, 65],
    ['bottomLeft', 0, 130],
    ['bottom', 110, 130],
    ['bottomRight', 220, 130],
  ] as Array<[Position, number, number]>)('%s → (%s, %s)', (position, x, y) => {
    expect(placeLayer(layer, viewport, position)).toEqual({ x, y });
  });

  it('defaults to center', () => {
    expect(placeLayer(layer, viewport)).toEqual({ x: 110, y: 65 });
  });

  it('offsets are fractions of the viewport; positive y moves up', () => {
    expect(placeLayer(layer, viewport, 'center', { x: 0.1, y: 0.1 })).toEqual({ x: 110 + 32, y: 65 - 18 });
    expect(placeLayer(layer, viewport, 'topLeft', { x: -0.25, y: -0.5 })).toEqual({ x: -80, y: 90 });
    expect(placeLayer(layer, viewport, 'bottomRight', { y: 0.2 })).toEqual({ x: 220, y: 94 });
  });

  it('rounds to whole pixels', () => {
    expect(placeLayer({ width: 101, height: 51 }, viewport, 'center', { x: 0.001 })).toEqual({
      x: 110,
      y: 65,
    });
    expect(placeLayer(layer, viewport, 'topLeft', { x: 1 / 3 })).toEqual({ x: 107, y: 0 });
  });

  it('a layer bigger than the viewport is centred with negative corners', () => {
    expect(placeLayer({ width: 400, height: 200 }, viewport)).toEqual({ x: -40, y: -10 });
  });
});

describe('rotatedSize', () => {
  const size = { width: 100, height: 50 };
  it.each([
    [0, 100, 50],
    [90, 50, 100],
    [-90, 50, 100],
    [180, 100, 50],
    [360, 100, 50],
    [45, 106, 106],
    [30, 112, 94],
  ])('%s° → %s×%s', (angle, width, height) => {
    expect(rotatedSize(size, angle)).toEqual({ width, height });
  });

  it('is always even', () => {
    for (let angle = -360; angle <= 360; angle += 7) {
      const r = rotatedSize({ width: 123, height: 77 }, angle);
      expect([r.width % 2, r.height % 2]).toEqual([0, 0]);
    }
  });
});

describe('cropLayer', () => {
  const layer = { width: 320, height: 180 };
  // Smaller than the frame, so every position puts it somewhere else.
  const small = { width: 200, height: 100 };
  const kept = (position: Position, crop: Parameters<typeof cropLayer>[1]) => {
    const { rect, shift } = cropLayer(small, crop, position);
    const full = placeLayer(small, viewport, position);
    const placed = placeLayer(rect, viewport, position);
    // Where the kept part lands on screen, and where it was before the cut.
    return {
      at: { x: placed.x + shift.x, y: placed.y + shift.y },
      was: { x: full.x + rect.x, y: full.y + rect.y },
    };
  };

  it('cuts fractions of the layer from each side, made even', () => {
    expect(cropLayer(layer, { left: 0.25, top: 0.5 }).rect).toEqual({ x: 80, y: 90, width: 240, height: 90 });
    expect(cropLayer(layer, { right: 0.5 }).rect).toEqual({ x: 0, y: 0, width: 160, height: 180 });
    expect(cropLayer({ width: 101, height: 51 }, { left: 0.1 }).rect.width % 2).toBe(0);
  });

  it.each([
    'topLeft',
    'top',
    'topRight',
    'left',
    'center',
    'right',
    'bottomLeft',
    'bottom',
    'bottomRight',
  ] as Position[])('the kept part does not move at %s', (position) => {
    for (const crop of [{ right: 0.5 }, { left: 0.25, top: 0.5 }, { left: 0.1, right: 0.3, bottom: 0.2 }]) {
      const { at, was } = kept(position, crop);
      expect(at).toEqual(was);
    }
  });

  it('an empty crop changes nothing', () => {
    expect(cropLayer(layer, {})).toEqual({ rect: { x: 0, y: 0, ...layer }, shift: { x: 0, y: 0 } });
  });
});

describe('titleOffsetInFrame', () => {
  const viewport = { width: 1000, height: 500 };
  const text = { width: 400, height: 50 };
  it('an offset that keeps the text inside is unchanged', () => {
    const o = titleOffsetInFrame(text, viewport, 'bottom', { x: 0.1, y: 0.2 });
    expect(o.x).toBeCloseTo(0.1, 9);
    expect(o.y).toBeCloseTo(0.2, 9);
  });
  it('bottom with a negative y stops at the bottom edge; left with a negative x at the left edge', () => {
    expect(titleOffsetInFrame(text, viewport, 'bottom', { y: -0.4 })).toEqual({ x: 0, y: 0 });
    const o = titleOffsetInFrame(text, viewport, 'left', { x: -0.5, y: 0.9 });
    expect(o.x).toBeCloseTo(0, 9);
    // centre row: at most (500 − 50) / 2 px up = 0.45 of the height.
    expect(o.y).toBeCloseTo(0.45, 9);
  });
  it('text wider than the frame is centred on the overflow, as far as it can go', () => {
    const wide = { width: 1200, height: 50 };
    expect(titleOffsetInFrame(wide, viewport, 'center', { x: 0.5 }).x).toBeCloseTo(0.1, 9);
  });
});
