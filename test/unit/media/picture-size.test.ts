import { describe, expect, it } from 'vitest';
import { assertPictureSize, interpretProbe, type ProbeResult } from '../../../lambdas/core/media/probe.js';

const picture = (width: number, height: number, pixelFormat?: string): ProbeResult => ({
  durationSeconds: null,
  hasVideo: true,
  hasAudio: false,
  isImage: true,
  width,
  height,
  rotation: 0,
  fps: null,
  bytes: 1000,
  ...(pixelFormat ? { pixelFormat } : {}),
});

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string; details: unknown };
  }
  throw new Error('expected a refusal');
};

describe('picture size', () => {
  it('takes the size of a picture too large for ffmpeg from its log, where the JSON says 0×0', () => {
    const raw = {
      streams: [{ codec_type: 'video', codec_name: 'png', width: 0, height: 0, pix_fmt: 'gray' }],
      format: { format_name: 'png_pipe', size: '388871' },
    };
    const log =
      '[png @ 0x1] [IMGUTILS @ 0x2] Picture size 20000x20000 is invalid\n[png @ 0x1] Invalid image size\n';
    expect(interpretProbe(raw, log)).toMatchObject({ width: 20000, height: 20000, pixelFormat: 'gray' });
    expect(interpretProbe(raw)).toMatchObject({ width: 0, height: 0 });
  });

  it('refuses by pixels, then by decoded bytes (8 bytes a pixel past 8 bits), naming each limit', () => {
    const limits = { maxSourcePixels: 1_000_000, maxDecodedFrameBytes: 3_000_000 };
    expect(refusal(() => assertPictureSize(picture(2000, 1000), 'src', limits))).toEqual(
      expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        message: 'src: the picture is 2000×1000 = 2000000 pixels; the limit is maxSourcePixels = 1000000',
        details: [
          {
            path: 'src',
            message: 'the picture is 2000×1000 = 2000000 pixels; the limit is maxSourcePixels = 1000000',
          },
        ],
      }),
    );
    expect(() => assertPictureSize(picture(1000, 700, 'yuv420p'), 'src', limits)).not.toThrow();
    expect(() => assertPictureSize(picture(1000, 700, 'nv12'), 'src', limits)).not.toThrow();
    expect(refusal(() => assertPictureSize(picture(1000, 700, 'yuv420p10le'), 'src', limits)).message).toBe(
      'src: one decoded 1000×700 frame is 5600000 bytes; the limit is maxDecodedFrameBytes = 2.9 MiB (3000000 bytes)',
    );
    expect(() => assertPictureSize(picture(1000, 700, 'rgba64be'), 'src', limits)).toThrow(/5600000 bytes/);
  });

  it('refuses a picture whose size cannot be read instead of passing 0×0 on', () => {
    expect(
      refusal(() => assertPictureSize(picture(0, 0), 'timeline.tracks[0].clips[0].asset.src')),
    ).toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message:
        'timeline.tracks[0].clips[0].asset.src: the picture size could not be read (ffprobe reports no width and height)',
    });
    expect(() => assertPictureSize({ ...picture(0, 0), hasVideo: false }, 'src')).not.toThrow();
  });

  it('takes what real work needs with the defaults: 8K video, a 45 MP photo', () => {
    expect(() => assertPictureSize(picture(7680, 4320, 'yuv420p10le'), 'src')).not.toThrow();
    expect(() => assertPictureSize(picture(8192, 5464, 'yuvj420p'), 'src')).not.toThrow();
  });
});
