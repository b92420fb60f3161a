import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { FPS_VALUES, type Output } from '../../../lambdas/core/edit/schema.js';
import {
  fpsString,
  fpsValue,
  frameRate,
  frameSize,
  outputSpec,
} from '../../../lambdas/core/render/output-spec.js';

type Resolution = NonNullable<Output['resolution']>;
type Ratio = NonNullable<Output['aspectRatio']>;

describe('frameSize: Shotstack sizes for every resolution × aspectRatio', () => {
  // The resolution names the 16:9 frame; other ratios keep its short side.
  const table: Record<Resolution, Record<Ratio, [number, number]>> = {
    preview: {
      '16:9': [512, 288],
      '9:16': [288, 512],
      '1:1': [288, 288],
      '4:5': [230, 288],
      '4:3': [384, 288],
    },
    mobile: {
      '16:9': [640, 360],
      '9:16': [360, 640],
      '1:1': [360, 360],
      '4:5': [288, 360],
      '4:3': [480, 360],
    },
    sd: { '16:9': [1024, 576], '9:16': [576, 1024], '1:1': [576, 576], '4:5': [460, 576], '4:3': [768, 576] },
    hd: { '16:9': [1280, 720], '9:16': [720, 1280], '1:1': [720, 720], '4:5': [576, 720], '4:3': [960, 720] },
    '1080': {
      '16:9': [1920, 1080],
      '9:16': [1080, 1920],
      '1:1': [1080, 1080],
      '4:5': [864, 1080],
      '4:3': [1440, 1080],
    },
    '4k': {
      '16:9': [3840, 2160],
      '9:16': [2160, 3840],
      '1:1': [2160, 2160],
      '4:5': [1728, 2160],
      '4:3': [2880, 2160],
    },
  };
  const cases = Object.entries(table).flatMap(([resolution, ratios]) =>
    Object.entries(ratios).map(
      ([aspectRatio, [w, h]]) => [resolution, aspectRatio, w, h] as [Resolution, Ratio, number, number],
    ),
  );
  it.each(cases)('%s %s = %s×%s', (resolution, aspectRatio, width, height) => {
    expect(frameSize({ resolution, aspectRatio })).toEqual({ width, height });
    expect((width % 2) + (height % 2)).toBe(0);
  });

  it('defaults to sd 16:9; a missing aspectRatio is 16:9', () => {
    expect(frameSize({})).toEqual({ width: 1024, height: 576 });
    expect(frameSize({ resolution: 'hd' })).toEqual({ width: 1280, height: 720 });
    expect(frameSize({ aspectRatio: '9:16' })).toEqual({ width: 576, height: 1024 });
  });

  it('size wins over resolution and aspectRatio', () => {
    expect(frameSize({ resolution: '4k', aspectRatio: '1:1', size: { width: 320, height: 180 } })).toEqual({
      width: 320,
      height: 180,
    });
  });
});

describe('frameRate', () => {
  it('NTSC rates are exact rationals', () => {
    expect(frameRate(23.976)).toEqual({ num: 24000, den: 1001 });
    expect(frameRate(29.97)).toEqual({ num: 30000, den: 1001 });
    expect(frameRate(59.94)).toEqual({ num: 60000, den: 1001 });
  });

  it('whole rates are n/1 and the default is 25', () => {
    expect(frameRate(undefined)).toEqual({ num: 25, den: 1 });
    for (const f of [12, 15, 24, 25, 30, 48, 50, 60]) expect(frameRate(f)).toEqual({ num: f, den: 1 });
  });

  it('every accepted fps maps to a rational within 0.001 of it', () => {
    for (const f of FPS_VALUES) {
      const r = frameRate(f);
      expect(Number.isInteger(r.num) && Number.isInteger(r.den)).toBe(true);
      expect(Math.abs(fpsValue(r) - f)).toBeLessThan(0.001);
    }
  });

  it('fpsString prints n or n/d for ffmpeg', () => {
    expect(fpsString(frameRate(25))).toBe('25');
    expect(fpsString(frameRate(29.97))).toBe('30000/1001');
    expect(fpsString(frameRate(23.976))).toBe('24000/1001');
  });
});

describe('outputSpec', () => {
  const spec = (output: Record<string, unknown>) =>
    outputSpec(
      parseEdit({
        timeline: { tracks: [{ clips: [{ asset: { type: 'image', src: 'a' }, start: 0, length: 1 }] }] },
        output,
      }).output,
    );

  it.each([
    ['mp4', true, true, false],
    ['webm', true, true, false],
    ['mov', true, true, false],
    ['gif', true, false, false],
    ['mp3', false, true, false],
    ['wav', false, true, false],
    ['jpg', true, false, true],
    ['png', true, false, true],
  ])('%s: video %s, audio %s, still %s', (format, hasVideo, hasAudio, still) => {
    expect(spec({ format })).toMatchObject({ format, hasVideo, hasAudio, still });
  });

  it('mute drops the audio', () => {
    expect(spec({ format: 'mp4', mute: true }).hasAudio).toBe(false);
    expect(spec({ format: 'mp4', mute: false }).hasAudio).toBe(true);
  });

  it('carries the frame size and rate', () => {
    expect(spec({ format: 'mp4', resolution: 'hd', aspectRatio: '9:16', fps: 29.97 })).toEqual({
      width: 720,
      height: 1280,
      fps: { num: 30000, den: 1001 },
      format: 'mp4',
      hasVideo: true,
      hasAudio: true,
      still: false,
    });
  });
});
