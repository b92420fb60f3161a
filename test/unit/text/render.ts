import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, FilterGraph, type FilterNode } from '../../../lambdas/core/filtergraph/graph.js';
import { ffmpeg, readFrame, type Frame } from '../../helpers/media.js';

/** A scratch directory under the OS temp dir, removed by the returned cleanup. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cutline-text-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Renders a text layer as the compiler uses it: its filters on a transparent RGBA canvas, overlaid
 * (straight alpha) onto an opaque background colour. Returns the composited RGBA frame.
 */
export async function renderLayer(
  dir: string,
  layer: { width: number; height: number; filters: readonly FilterNode[] },
  background = '0x000000',
  name = 'layer.png',
): Promise<Frame> {
  const graph = new FilterGraph();
  const size = `${layer.width}x${layer.height}`;
  const bg = graph.chain(
    [],
    [filter('color', { c: background, s: size, d: 1 }), filter('format', { pix_fmts: 'rgba' })],
  );
  const fg = graph.chain(
    [],
    [
      filter('color', { c: '0x00000000', s: size, d: 1 }),
      filter('format', { pix_fmts: 'rgba' }),
      ...layer.filters,
    ],
  );
  graph.chain(
    [bg, fg],
    [filter('overlay', { format: 'rgb' }), filter('format', { pix_fmts: 'rgba' })],
    'out',
  );
  const out = join(dir, name);
  await ffmpeg(['-filter_complex', graph.toString(), '-map', '[out]', '-frames:v', '1', out]);
  return readFrame(out);
}

/** Renders filters on a transparent RGBA canvas without compositing (alpha kept). */
export async function renderRaw(
  dir: string,
  width: number,
  height: number,
  filters: readonly FilterNode[],
  name = 'raw.png',
): Promise<Frame> {
  const graph = new FilterGraph();
  graph.chain(
    [],
    [
      filter('color', { c: '0x00000000', s: `${width}x${height}`, d: 1 }),
      filter('format', { pix_fmts: 'rgba' }),
      ...filters,
    ],
    'out',
  );
  const out = join(dir, name);
  await ffmpeg(['-filter_complex', graph.toString(), '-map', '[out]', '-frames:v', '1', out]);
  return readFrame(out);
}

/** Bounding box of pixels whose alpha exceeds `threshold`, or null. */
export function alphaBox(
  f: Frame,
  threshold = 128,
): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      if (f.data[(y * f.width + x) * 4 + 3]! > threshold) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** The pixel at (x, y) as [r, g, b, a]. */
export function pixel(f: Frame, x: number, y: number): [number, number, number, number] {
  const i = (y * f.width + x) * 4;
  return [f.data[i]!, f.data[i + 1]!, f.data[i + 2]!, f.data[i + 3]!];
}

/** A frame cropped to [x0, x1) × [y0, y1) pixels (for litBox on part of a frame). */
export function crop(f: Frame, x0: number, y0: number, x1: number, y1: number): Frame {
  const width = x1 - x0;
  const height = y1 - y0;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    f.data.copy(data, y * width * 4, ((y + y0) * f.width + x0) * 4, ((y + y0) * f.width + x1) * 4);
  }
  return { width, height, data };
}
