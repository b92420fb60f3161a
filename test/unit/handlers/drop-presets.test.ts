import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { PRESETS, presetEdit } from '../../../lambdas/core/presets.js';

const src = 's3://ingest/inputs/drop/drop/etag/clip.mov';
const output = (e: Record<string, unknown>) => e.output as Record<string, unknown>;

describe('drop-folder presets', () => {
  it('every preset builds an edit that passes the API’s validation, with or without a probe', () => {
    expect(Object.keys(PRESETS)).toEqual([
      'mp4',
      'web',
      'gif',
      'poster',
      'audio',
      'hls',
      'social',
      'thumbnails',
      'preview-gif',
    ]);
    for (const name of Object.keys(PRESETS)) {
      for (const probe of [undefined, { width: 1080, height: 1920, durationSeconds: 0.5 }]) {
        const edit = parseEdit(presetEdit(name, src, probe));
        const asset = edit.timeline.tracks[0]!.clips[0]!.asset as { src: string };
        expect(asset.src).toBe(src);
      }
    }
  });

  it('mp4 and web follow the source size, capped (never upscaled); 16:9 defaults without a probe', () => {
    expect(output(presetEdit('mp4', src))).toEqual({ format: 'mp4', resolution: '1080' });
    const mp4 = (width: number, height: number) =>
      output(presetEdit('mp4', src, { width, height, durationSeconds: 10 })).size;
    expect(mp4(3840, 2160)).toEqual({ width: 1920, height: 1080 });
    expect(mp4(1080, 1920)).toEqual({ width: 1080, height: 1920 });
    expect(mp4(2160, 3840)).toEqual({ width: 1080, height: 1920 });
    expect(mp4(640, 480)).toEqual({ width: 640, height: 480 });
    expect(mp4(1441, 1081)).toEqual({ width: 1440, height: 1080 });
    expect(output(presetEdit('web', src))).toEqual({
      format: 'mp4',
      resolution: 'hd',
      quality: 'medium',
      presets: ['web', 'loudness'],
    });
    expect(output(presetEdit('web', src, { width: 1920, height: 1080, durationSeconds: 3 }))).toEqual({
      format: 'mp4',
      size: { width: 1280, height: 720 },
      quality: 'medium',
      presets: ['web', 'loudness'],
    });
  });

  it('gif is 480 wide at 12 fps over the first 5 s (less for a shorter source); poster is the frame at 1 s', () => {
    expect(output(presetEdit('gif', src))).toEqual({
      format: 'gif',
      size: { width: 480, height: 270 },
      fps: 12,
      range: { start: 0, length: 5 },
    });
    expect(output(presetEdit('gif', src, { width: 640, height: 480, durationSeconds: 2 }))).toMatchObject({
      size: { width: 480, height: 360 },
      range: { start: 0, length: 2 },
    });
    expect(output(presetEdit('poster', src))).toMatchObject({ format: 'jpg', range: { start: 1 } });
    expect(
      output(presetEdit('poster', src, { width: 640, height: 360, durationSeconds: 0.6 })).range,
    ).toEqual({ start: 0.3, length: 1 });
    expect(output(presetEdit('audio', src))).toEqual({ format: 'mp3' });
  });

  it('packaging presets ask for output.presets: web MP4+WebM at -16 LUFS, social ratios at -14, hls, sprites, preview GIF', () => {
    const probe = { width: 1920, height: 1080, durationSeconds: 30 };
    const hls = parseEdit(presetEdit('hls', src, probe));
    expect(hls.output).toMatchObject({
      format: 'mp4',
      size: { width: 1920, height: 1080 },
      presets: ['hls'],
    });
    const social = parseEdit(presetEdit('social', src, { width: 1080, height: 1920, durationSeconds: 9 }));
    expect(social.output).toMatchObject({
      size: { width: 1920, height: 1080 },
      presets: [
        { name: 'social', aspectRatios: ['9:16', '1:1'] },
        { name: 'loudness', target: -14 },
      ],
    });
    expect(social.timeline.tracks[0]!.clips[0]!.fit).toBe('crop');
    const small = parseEdit(presetEdit('social', src, { width: 640, height: 360, durationSeconds: 9 }));
    expect(small.output.size).toEqual({ width: 640, height: 360 });
    expect(output(presetEdit('thumbnails', src, probe)).presets).toEqual(['thumbnails']);
    expect(output(presetEdit('preview-gif', src, probe)).presets).toEqual(['preview-gif']);
  });

  it('an unknown preset is VALIDATION_FAILED listing the available ones (no prototype names)', () => {
    for (const name of ['webm', 'toString', '__proto__', '']) {
      let err: unknown;
      try {
        presetEdit(name, src);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CutlineError);
      expect((err as CutlineError).code).toBe('VALIDATION_FAILED');
      expect((err as CutlineError).message).toMatch(
        new RegExp(
          `^unknown preset "${name}"; available: mp4, web, gif, poster, audio, hls, social, thumbnails, preview-gif`,
        ),
      );
    }
  });
});
