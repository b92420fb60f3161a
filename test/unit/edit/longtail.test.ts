import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { destinationKey } from '../../../lambdas/core/edit/destinations.js';
import { tempo } from '../../../lambdas/core/render/audio.js';
import { outputSpec, scaledSize } from '../../../lambdas/core/render/output-spec.js';
import { resolveTimeline, STILL_AUTO_SECONDS } from '../../../lambdas/core/render/timeline.js';

// Shotstack's long tail: font.size strings, aliases, "auto" on stills, speed, scaleTo, destinations, AI assets.
const edit = (clips: unknown[][], output: Record<string, unknown> = {}) => ({
  timeline: { tracks: clips.map((c) => ({ clips: c })) },
  output: { format: 'mp4', size: { width: 320, height: 180 }, ...output },
});
const image = (extra: Record<string, unknown> = {}) => ({
  asset: { type: 'image', src: 'a.png' },
  start: 0,
  length: 1,
  ...extra,
});
const errorOf = (fn: () => unknown): CutlineError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CutlineError) return err;
    throw err;
  }
  throw new Error('expected an error');
};
/** The durations prepareRender gives: sources by name, stills STILL_AUTO_SECONDS. */
const intrinsic = (clip: Clip) =>
  clip.asset.type === 'video' ? (4 - (clip.asset.trim ?? 0)) / (clip.asset.speed ?? 1) : STILL_AUTO_SECONDS;
const timeline = (raw: unknown) => {
  const e = parseEdit(raw);
  return resolveTimeline(e, intrinsic).tracks.map((t) => t.map((c) => [c.start, c.length]));
};

describe('font.size as a string', () => {
  it('reads "48" and "48px" as 48 pixels, and refuses other strings at the path', () => {
    const text = (size: unknown) =>
      edit([[{ asset: { type: 'text', text: 'hi', font: { size } }, start: 0, length: 1 }]]);
    for (const size of ['48', '48px', ' 48 ', 48]) {
      const a = parseEdit(text(size)).timeline.tracks[0]!.clips[0]!.asset;
      expect(a.type === 'text' && a.font?.size).toBe(48);
    }
    const err = errorOf(() => parseEdit(text('large')));
    expect(err.details[0]!.path).toBe('timeline.tracks[0].clips[0].asset.font.size');
    expect(err.details[0]!.message).toMatch(/"48px"/);
  });
});

describe('alias references', () => {
  it('start and length follow the named clip on any track, in any order', () => {
    const t = timeline(
      edit([
        [image({ start: 'alias://main', length: 'alias://main' })],
        [image({ start: 1 }), image({ alias: 'main', start: 'auto', length: 2.5 })],
      ]),
    );
    expect(t).toEqual([
      [[2, 2.5]],
      [
        [1, 1],
        [2, 2.5],
      ],
    ]);
  });

  it('an unknown alias, a repeated alias and a cycle are 400s at their paths', () => {
    let err = errorOf(() => timeline(edit([[image({ start: 'alias://nope' })]])));
    expect(err.details).toEqual([
      { path: 'timeline.tracks[0].clips[0].start', message: 'no clip has alias "nope"' },
    ]);
    err = errorOf(() => timeline(edit([[image({ alias: 'a' }), image({ alias: 'a' })]])));
    expect(err.details[0]).toEqual({
      path: 'timeline.tracks[0].clips[1].alias',
      message: 'alias "a" is already used by another clip',
    });
    err = errorOf(() =>
      timeline(
        edit([[image({ alias: 'a', start: 'alias://b' })], [image({ alias: 'b', start: 'alias://a' })]]),
      ),
    );
    expect(err.details[0]!.message).toBe('alias references form a cycle');
    err = errorOf(() => parseEdit(edit([[image({ start: 'alias://bad name' })]])));
    expect(err.details[0]!.path).toBe('timeline.tracks[0].clips[0].start');
  });

  it('captions from alias:// name a clip with speech; a missing or silent one is a 400 at the src', () => {
    const caption = (src: string) => ({ asset: { type: 'caption', src }, start: 0, length: 'end' });
    const video = { asset: { type: 'video', src: 'speech.mp4' }, start: 0, length: 4, alias: 'speech' };
    expect(parseEdit(edit([[caption('alias://speech')], [video]])).timeline.tracks).toHaveLength(2);
    let err = errorOf(() => parseEdit(edit([[caption('alias://nobody')], [video]])));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details[0]!.path).toBe('timeline.tracks[0].clips[0].asset.src');
    expect(err.details[0]!.message).toMatch(/no clip has the alias "nobody"/);
    err = errorOf(() => parseEdit(edit([[caption('alias://pic')], [image({ alias: 'pic' })]])));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details[0]!.path).toBe('timeline.tracks[0].clips[0].asset.src');
    expect(err.details[0]!.message).toMatch(/"pic" is an image clip, which has no speech/);
  });
});

describe('length "auto" and speed', () => {
  it('a still with "auto" lasts Shotstack’s 3 seconds; a video lasts its source after trim at its speed', () => {
    expect(
      timeline(
        edit([
          [image({ length: 'auto' })],
          [{ asset: { type: 'video', src: 'v.mp4', trim: 1, speed: 2 }, start: 0, length: 'auto' }],
          [{ asset: { type: 'title', text: 'x' }, start: 'auto', length: 'auto' }],
        ]),
      ),
    ).toEqual([[[0, 3]], [[0, 1.5]], [[0, 3]]]);
  });

  it('speed is more than 0 and at most 10; atempo steps stay within 0.5–2', () => {
    const video = (speed: number) =>
      edit([[{ asset: { type: 'video', src: 'v.mp4', speed }, start: 0, length: 1 }]]);
    expect(errorOf(() => parseEdit(video(0))).details[0]!.path).toBe(
      'timeline.tracks[0].clips[0].asset.speed',
    );
    expect(errorOf(() => parseEdit(video(11))).details[0]!.message).toBe('speed must be at most 10');
    const factors = (s: number) =>
      tempo(s)
        .filter((f) => f.name === 'atempo')
        .map((f) => Number((f.args as string[])[0]));
    expect(tempo(1)).toEqual([]);
    expect(factors(5)).toEqual([2, 2, 1.25]);
    expect(factors(0.2)).toEqual([0.5, 0.5, 0.8]);
    for (const s of [0.1, 0.3, 3, 10]) {
      const f = factors(s);
      expect(f.every((k) => k >= 0.5 && k <= 2)).toBe(true);
      expect(f.reduce((a, b) => a * b, 1)).toBeCloseTo(s, 9);
    }
  });
});

describe('output.scaleTo', () => {
  it('is the named resolution at the output’s aspect; a custom size keeps its aspect at that short side', () => {
    expect(scaledSize({ resolution: 'hd', scaleTo: 'sd' })).toEqual({ width: 1024, height: 576 });
    expect(scaledSize({ resolution: 'hd', aspectRatio: '9:16', scaleTo: 'mobile' })).toEqual({
      width: 360,
      height: 640,
    });
    expect(scaledSize({ size: { width: 800, height: 800 }, scaleTo: 'preview' })).toEqual({
      width: 288,
      height: 288,
    });
    expect(scaledSize({ resolution: 'sd', scaleTo: 'sd' })).toBeUndefined();
    expect(outputSpec({ format: 'mp4', resolution: 'hd', scaleTo: 'preview' })).toMatchObject({
      width: 1280,
      height: 720,
      scaled: { width: 512, height: 288 },
    });
  });
});

describe('output.destinations', () => {
  afterEach(() => vi.unstubAllEnvs());
  it('the CLI (no platform) sends nowhere: an s3 destination is NOT_SUPPORTED at its bucket', () => {
    vi.stubEnv('CUTLINE_TABLE_NAME', '');
    const err = errorOf(() =>
      parseEdit(
        edit([[image()]], {
          destinations: [{ provider: 's3', options: { region: 'us-east-1', bucket: 'abc' } }],
        }),
      ),
    );
    expect(err.code).toBe('NOT_SUPPORTED');
    expect(err.details).toEqual([
      {
        path: 'output.destinations[0].options.bucket',
        message: expect.stringMatching(/the CLI writes the file/),
      },
    ]);
  });

  it('accepts s3 (to an allowed bucket) and shotstack; refuses other providers at their path', () => {
    vi.stubEnv('CUTLINE_TABLE_NAME', 'jobs');
    vi.stubEnv('CUTLINE_DESTINATION_BUCKETS', 'my-bucket, b-1');
    const out = (destinations: unknown[]) => edit([[image()]], { destinations });
    const parsed = parseEdit(
      out([
        { provider: 'shotstack', exclude: true },
        {
          provider: 's3',
          options: { region: 'us-east-1', bucket: 'my-bucket', prefix: 'renders', acl: 'private' },
        },
      ]),
    );
    expect(parsed.output.destinations).toHaveLength(2);
    const err = errorOf(() =>
      parseEdit(
        out([{ provider: 's3', options: { region: 'us-east-1', bucket: 'b-1' } }, { provider: 'mux' }]),
      ),
    );
    expect(err.code).toBe('NOT_SUPPORTED');
    expect(err.details).toEqual([
      {
        path: 'output.destinations[1].provider',
        message: expect.stringMatching(/"mux" destination is not supported/),
      },
    ]);
    const bad = errorOf(() =>
      parseEdit(out([{ provider: 's3', options: { region: 'us-east-1', bucket: 'b', prefix: '../x' } }])),
    );
    expect(bad.code).toBe('VALIDATION_FAILED');
    expect(bad.details.map((d) => d.path)).toEqual([
      'output.destinations[0].options.bucket',
      'output.destinations[0].options.prefix',
    ]);
  });
});

describe('destination keys', () => {
  it('name files as Shotstack does: <prefix>/<filename or job id><ext>, -poster.jpg, -thumb.jpg', () => {
    const key = (kind: string, k: string, o: Record<string, string> = {}) =>
      destinationKey({ region: 'us-east-1', bucket: 'b', ...o }, 'job1', { kind, key: k });
    expect(key('video', 'outputs/t/job1/output.mp4', { prefix: 'a/b/', filename: 'promo' })).toBe(
      'a/b/promo.mp4',
    );
    expect(key('poster', 'outputs/t/job1/poster.jpg')).toBe('job1-poster.jpg');
    expect(key('thumbnail', 'outputs/t/job1/thumb.jpg', { filename: 'p' })).toBe('p-thumb.jpg');
    expect(key('playlist', 'outputs/t/job1/hls/master.m3u8', { prefix: 'x' })).toBe('x/job1/hls/master.m3u8');
  });
});

describe('AI assets without a provider', () => {
  it('text-to-image, image-to-video and a video prompt are NOT_SUPPORTED at their paths', () => {
    const err = errorOf(() =>
      parseEdit(
        edit([
          [
            {
              asset: { type: 'text-to-image', prompt: 'a cat', width: 512, height: 512 },
              start: 0,
              length: 3,
            },
          ],
          [{ asset: { type: 'image-to-video', src: 'a.png' }, start: 0, length: 3 }],
          [{ asset: { type: 'video', prompt: 'orbit left' }, start: 0, length: 3 }],
        ]),
      ),
    );
    expect(err.code).toBe('NOT_SUPPORTED');
    expect(err.details.map((d) => d.path)).toEqual([
      'timeline.tracks[0].clips[0].asset.type',
      'timeline.tracks[1].clips[0].asset.type',
      'timeline.tracks[2].clips[0].asset.prompt',
    ]);
    expect(err.details[0]!.message).toMatch(/image generation provider.*use an image asset/);
  });
});
