import type { Edit } from '../edit/schema.js';

/** Output fields that shape a full render's files, not the picture: a preview frame ignores them. */
const NOT_DRAWN = [
  'range',
  'poster',
  'thumbnail',
  'presets',
  'metadata',
  'mute',
  'repeat',
  'quality',
  'destinations',
] as const;

/** The widest preview the API draws; the console asks for its panel's width. */
export const MAX_PREVIEW_WIDTH = 1280;
export const DEFAULT_PREVIEW_WIDTH = 480;

/**
 * Pure: the edit that draws one frame of `edit` at `at` seconds, as a still JPEG at the edit's own size
 * (fractions, offsets and font sizes depend on that size, so the frame is drawn full size and scaled after).
 * Callbacks and merge are gone (the preview is no job); the timeline is the edit's, untouched.
 */
export function previewEdit(edit: Edit, at: number): Edit {
  const output: Record<string, unknown> = { ...edit.output };
  for (const key of NOT_DRAWN) delete output[key];
  return {
    timeline: edit.timeline,
    output: { ...output, format: 'jpg', range: { start: at, length: 1 } } as Edit['output'],
  };
}

/** Pure: the preview's pixel size: `width` (even, at most the render's), height in the render's aspect. */
export function previewSize(
  render: { width: number; height: number },
  width = DEFAULT_PREVIEW_WIDTH,
): { width: number; height: number } {
  const w = Math.max(2, Math.min(render.width, width) & ~1);
  const h = Math.max(2, Math.round((render.height * w) / render.width / 2) * 2);
  return { width: w, height: h };
}
