import { CutlineError } from '../errors.js';
import { DEFAULTS } from './options.js';
import type { ThumbnailsPreset } from '../edit/packaging-schema.js';

/** The layout of a thumbnail sprite sheet: one tile per `interval` seconds, row by row. */
export interface SpriteGrid {
  interval: number;
  tiles: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The grid for a video of `duration` seconds: the requested interval (default 1 s), widened for long
 * videos so the sheet holds at most 200 tiles (an explicit interval is honoured up to 1000 tiles).
 */
export function spriteGrid(
  video: { width: number; height: number; duration: number },
  preset: Pick<ThumbnailsPreset, 'interval' | 'width' | 'columns'> = {},
): SpriteGrid {
  const interval = preset.interval ?? Math.max(1, Math.ceil(video.duration / DEFAULTS.maxTiles));
  const tiles = Math.max(1, Math.ceil(video.duration / interval - 1e-9));
  if (tiles > 1000) {
    const message = `makes ${tiles} tiles at ${interval} s; use an interval of at least ${Math.ceil(video.duration / 1000)} s (1000 tiles at most)`;
    throw new CutlineError('VALIDATION_FAILED', `thumbnails ${message}`, [
      { path: 'output.presets', message },
    ]);
  }
  const tileWidth = even(Math.min(preset.width ?? DEFAULTS.tileWidth, video.width));
  const tileHeight = even((tileWidth * video.height) / video.width);
  const columns = Math.min(preset.columns ?? DEFAULTS.tileColumns, tiles);
  return { interval, tiles, columns, rows: Math.ceil(tiles / columns), tileWidth, tileHeight };
}

/** Where tile `i` lies on the sheet and the span of time it stands for. */
export function tileAt(grid: SpriteGrid, i: number, duration: number) {
  return {
    x: (i % grid.columns) * grid.tileWidth,
    y: Math.floor(i / grid.columns) * grid.tileHeight,
    w: grid.tileWidth,
    h: grid.tileHeight,
    start: i * grid.interval,
    end: Math.min(duration, (i + 1) * grid.interval),
  };
}

const stamp = (t: number) => {
  const ms = Math.round(t * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
};

/** The WebVTT that players read for scrubbing previews: one cue per tile, `sprite#xywh=x,y,w,h`. */
export function spriteVtt(grid: SpriteGrid, duration: number, spriteRef: string): string {
  const cues = Array.from({ length: grid.tiles }, (_, i) => {
    const t = tileAt(grid, i, duration);
    return `${stamp(t.start)} --> ${stamp(t.end)}\n${spriteRef}#xywh=${t.x},${t.y},${t.w},${t.h}`;
  });
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

/** Reads a sprite VTT back (for tests and tools): each cue's span, image and rectangle. */
export function parseSpriteVtt(text: string) {
  const toSeconds = (s: string) => {
    const [h, m, rest] = s.split(':');
    return Number(h) * 3600 + Number(m) * 60 + Number(rest);
  };
  return [
    ...text.matchAll(
      /(\d+:\d\d:\d\d\.\d{3}) --> (\d+:\d\d:\d\d\.\d{3})\r?\n([^#\s]+)#xywh=(\d+),(\d+),(\d+),(\d+)/g,
    ),
  ].map((m) => ({
    start: toSeconds(m[1]!),
    end: toSeconds(m[2]!),
    image: m[3]!,
    x: Number(m[4]),
    y: Number(m[5]),
    w: Number(m[6]),
    h: Number(m[7]),
  }));
}
