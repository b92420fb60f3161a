import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { previewEdit, previewSize } from '../../../lambdas/core/preview/preview-edit.js';

const edit = parseEdit({
  timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'Hi' }, start: 0, length: 5 }] }] },
  output: {
    format: 'mp4',
    resolution: 'hd',
    fps: 30,
    range: { start: 1, length: 2 },
    poster: { capture: 1 },
    presets: ['hls'],
  },
  callback: 'https://example.com/hook',
});

describe('previewEdit', () => {
  it('keeps the picture (timeline, size, fps) and drops what only shapes files or jobs', () => {
    const p = previewEdit(edit, 3.5);
    expect(p.timeline).toBe(edit.timeline);
    expect(p.output).toEqual({ format: 'jpg', resolution: 'hd', fps: 30, range: { start: 3.5, length: 1 } });
    expect(p).not.toHaveProperty('callback');
    // It is still an edit the schema accepts.
    expect(() => parseEdit(p)).not.toThrow();
  });
});

describe('previewSize', () => {
  it('keeps the aspect, even pixels, never wider than the render', () => {
    expect(previewSize({ width: 1920, height: 1080 }, 480)).toEqual({ width: 480, height: 270 });
    expect(previewSize({ width: 1080, height: 1920 }, 301)).toEqual({ width: 300, height: 534 });
    expect(previewSize({ width: 320, height: 180 }, 1280)).toEqual({ width: 320, height: 180 });
    expect(previewSize({ width: 1920, height: 1080 })).toEqual({ width: 480, height: 270 });
  });
});
