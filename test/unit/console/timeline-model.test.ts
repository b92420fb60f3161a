import { describe, expect, it } from 'vitest';
import { clipLabel, displaySpan, moveClip, timelineSpan, trimClip } from '../../../console/timeline-model.js';

const edit = {
  timeline: {
    tracks: [
      {
        clips: [
          { asset: { type: 'video', src: 'inputs/t/x/My%20Clip.mp4?v=1' }, start: 1, length: 4 },
          {
            asset: { type: 'title', text: 'A very long title that goes on and on' },
            start: 0,
            length: 'end',
          },
          { asset: { type: 'image', src: 'a.png' }, start: 'auto', length: 'auto' },
        ],
      },
    ],
  },
};
const [video, title, image] = edit.timeline.tracks[0]!.clips;

describe('timeline model', () => {
  it('places bars by start and length; "end" reaches the last known end, "auto" is a marked guess', () => {
    expect(displaySpan(video, edit)).toEqual({ start: 1, length: 4, exact: true });
    expect(displaySpan(title, edit)).toEqual({ start: 0, length: 5, exact: false });
    expect(displaySpan(image, edit)).toEqual({ start: 0, length: 3, exact: false });
    expect(timelineSpan(edit)).toBe(5);
    expect(timelineSpan({})).toBe(1);
  });

  it('moves never before 0 and trims to at least a frame, in milliseconds; strings stay as they are', () => {
    const c = { start: 1, length: 4 };
    expect(moveClip(c, -0.30000000000000004)).toBe(true);
    expect(c.start).toBe(0.7);
    moveClip(c, -5);
    expect(c.start).toBe(0);
    expect(trimClip(c, -10)).toBe(true);
    expect(c.length).toBe(0.04);
    const auto = { start: 'auto', length: 'end' };
    expect(moveClip(auto, 1)).toBe(false);
    expect(trimClip(auto, 1)).toBe(false);
    expect(auto).toEqual({ start: 'auto', length: 'end' });
  });

  it('labels a bar by asset type and file name or text', () => {
    expect(clipLabel(video)).toBe('video: My Clip.mp4');
    expect(clipLabel(title)).toBe('title: A very long title that goes…');
    expect(clipLabel({})).toBe('clip');
  });
});
