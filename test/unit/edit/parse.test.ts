import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../lambdas/core/edit/limits.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { FPS_VALUES } from '../../../lambdas/core/edit/schema.js';
import { CutlineError, type IssueDetail } from '../../../lambdas/core/errors.js';

/** The CutlineError `fn` throws (anything else fails the test). */
function errorOf(fn: () => unknown): CutlineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CutlineError) return err;
    throw err;
  }
  throw new Error('expected a CutlineError, but nothing was thrown');
}

const details = (raw: unknown, limits = {}): IssueDetail[] => errorOf(() => parseEdit(raw, limits)).details;

type Json = Record<string, unknown>;
const clip = (asset: Json, extra: Json = {}): Json => ({ asset, start: 0, length: 1, ...extra });
/** An edit with one track per clip given. */
const editOf = (clips: Json[], output: Json = { format: 'mp4' }, extra: Json = {}): Json => ({
  timeline: { tracks: clips.map((c) => ({ clips: [c] })) },
  output,
  ...extra,
});
const image = clip({ type: 'image', src: 'a.png' });
const SUPPORTED =
  'use one of video, image, title, text, rich-text, html, svg, shape, audio, caption, luma, rich-caption, text-to-speech, text-to-image, image-to-video';

describe('parseEdit: valid edits', () => {
  it.each([
    ['video', { type: 'video', src: 'https://example.com/a.mp4' }],
    ['image', { type: 'image', src: 'a.png' }],
    ['title', { type: 'title', text: 'Hello' }],
    ['text', { type: 'text', text: 'Hello' }],
    ['audio', { type: 'audio', src: 'a.mp3' }],
    ['caption', { type: 'caption', src: 'a.srt' }],
  ])('a minimal %s clip passes unchanged', (_, asset) => {
    const raw = editOf([clip(asset)]);
    expect(parseEdit(raw)).toEqual(raw);
  });

  it('keeps every documented field of a fully specified edit (nothing is dropped)', () => {
    const raw = {
      timeline: {
        background: '#112233',
        soundtrack: { src: 'music.mp3', effect: 'fadeInFadeOut', volume: 0.5 },
        fonts: [{ src: 'font.ttf' }],
        cache: false,
        tracks: [
          {
            clips: [
              {
                asset: {
                  type: 'text',
                  text: 'Hi',
                  font: {
                    family: 'Open Sans',
                    size: 40,
                    color: '#fff',
                    opacity: 0.5,
                    weight: 700,
                    lineHeight: 1.4,
                  },
                  alignment: { horizontal: 'left', vertical: 'bottom' },
                  width: 400,
                  height: 200,
                  background: { color: '#00000080', opacity: 0.8, padding: 10 },
                  stroke: { color: '#ff0000', width: 2 },
                },
                start: 'auto',
                length: 'end',
                position: 'bottomLeft',
                offset: { x: 0.1, y: -0.1 },
                transition: { in: 'fadeSlow', out: 'carouselLeftFast' },
                effect: 'zoomInSlow',
                filter: 'greyscale',
                opacity: 0.9,
                transform: { rotate: { angle: -45 }, flip: { horizontal: true, vertical: false } },
              },
              {
                asset: {
                  type: 'video',
                  src: 'v.mp4',
                  trim: 1.5,
                  volume: 2,
                  volumeEffect: 'fadeOut',
                  crop: { top: 0.1, left: 0.2 },
                },
                start: 3,
                length: 'auto',
                fit: 'contain',
                scale: 0.5,
              },
            ],
          },
        ],
      },
      output: {
        format: 'webm',
        resolution: 'hd',
        aspectRatio: '9:16',
        fps: 29.97,
        quality: 'high',
        mute: false,
        repeat: true,
        range: { start: 1, length: 2 },
        poster: { capture: 1 },
        thumbnail: { capture: 1, scale: 0.5 },
      },
      callback: 'https://example.com/hook?id=1',
    };
    expect(parseEdit(raw)).toEqual(raw);
  });

  it.each([...FPS_VALUES])('accepts fps %s', (fps) => {
    expect(parseEdit(editOf([image], { format: 'mp4', fps })).output.fps).toBe(fps);
  });

  it('accepts http and https callbacks', () => {
    for (const callback of ['http://localhost:3000/done', 'https://example.com/a/b']) {
      expect(parseEdit(editOf([image], undefined, { callback })).callback).toBe(callback);
    }
  });
});

describe('parseEdit: unknown fields are reported, not dropped', () => {
  it('names the full JSON path of an unknown asset field', () => {
    const raw = editOf([image, clip({ type: 'video', src: 'a.mp4', foo: 1 })]);
    const err = errorOf(() => parseEdit(raw));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual([
      { path: 'timeline.tracks[1].clips[0].asset.foo', message: 'unknown field "foo"' },
    ]);
    expect(err.message).toBe('timeline.tracks[1].clips[0].asset.foo: unknown field "foo"');
  });

  it('reports unknown fields at every level, one detail per key', () => {
    const raw = {
      timeline: {
        tracks: [{ clips: [clip({ type: 'image', src: 'a.png' }, { bar: 2, baz: 3 })], x: 1 }],
        zap: true,
      },
      output: { format: 'mp4', size: { width: 2, height: 2, depth: 1 } },
      extra: {},
    };
    expect(details(raw).map((d) => d.path)).toEqual(
      expect.arrayContaining([
        'timeline.tracks[0].clips[0].bar',
        'timeline.tracks[0].clips[0].baz',
        'timeline.tracks[0].x',
        'timeline.zap',
        'output.size.depth',
        'extra',
      ]),
    );
    expect(details(raw)).toHaveLength(6);
  });

  it('rejects unknown fields inside nested option objects (transition, offset, font, crop)', () => {
    const raw = editOf([
      clip(
        { type: 'image', src: 'a.png', crop: { top: 0.1, middle: 0.2 } },
        { transition: { in: 'fade', during: 'fade' } },
      ),
      clip(
        { type: 'text', text: 'x', font: { family: 'Open Sans', italic: true } },
        { offset: { x: 0, z: 1 } },
      ),
    ]);
    expect(
      details(raw)
        .map((d) => d.path)
        .sort(),
    ).toEqual([
      'timeline.tracks[0].clips[0].asset.crop.middle',
      'timeline.tracks[0].clips[0].transition.during',
      'timeline.tracks[1].clips[0].asset.font.italic',
      'timeline.tracks[1].clips[0].offset.z',
    ]);
  });
});

describe('parseEdit: wrong values give the exact path and a human message', () => {
  it('a missing required field', () => {
    expect(details(editOf([clip({ type: 'video' })]))).toEqual([
      { path: 'timeline.tracks[0].clips[0].asset.src', message: 'src is required' },
    ]);
    expect(
      details({
        timeline: { tracks: [{ clips: [{ asset: { type: 'image', src: 'a' }, length: 1 }] }] },
        output: { format: 'mp4' },
      }),
    ).toEqual([
      {
        path: 'timeline.tracks[0].clips[0].start',
        message: 'start must be a number of seconds (0 or more), "auto" or "alias://name"',
      },
    ]);
    expect(details({})).toEqual([
      { path: 'timeline', message: 'timeline is required' },
      { path: 'output', message: 'output is required' },
    ]);
  });

  it('enum values list the allowed options', () => {
    const d = details(
      editOf([clip({ type: 'image', src: 'a' }, { fit: 'stretch', position: 'middle' })], { format: 'avi' }),
    );
    const by = Object.fromEntries(d.map((x) => [x.path, x.message]));
    expect(Object.keys(by).sort()).toEqual([
      'output.format',
      'timeline.tracks[0].clips[0].fit',
      'timeline.tracks[0].clips[0].position',
    ]);
    expect(by['timeline.tracks[0].clips[0].fit']).toMatch(/"crop".*"cover".*"contain".*"none"/);
    expect(by['timeline.tracks[0].clips[0].position']).toContain('"topRight"');
    expect(by['output.format']).toMatch(/"mp4".*"webm".*"png"/);
  });

  it('an unknown transition name is reported at its path', () => {
    const d = details(editOf([clip({ type: 'image', src: 'a' }, { transition: { in: 'dissolve' } })]));
    expect(d).toHaveLength(1);
    expect(d[0]!.path).toBe('timeline.tracks[0].clips[0].transition.in');
    expect(d[0]!.message).toContain('"fadeSlow"');
  });

  it('numbers out of range and bad strings use the schema’s own words', () => {
    const d = details(
      editOf([
        clip({ type: 'image', src: '   ' }, { start: -1, length: 0, scale: 0, opacity: 2 }),
        clip({ type: 'title', text: 'hi', color: 'red' }, { length: 'forever' }),
      ]),
    );
    expect(d).toEqual([
      { path: 'timeline.tracks[0].clips[0].asset.src', message: 'src must not be empty' },
      { path: 'timeline.tracks[0].clips[0].start', message: 'must be 0 or more' },
      { path: 'timeline.tracks[0].clips[0].length', message: 'length must be more than 0' },
      { path: 'timeline.tracks[0].clips[0].scale', message: 'scale must be more than 0' },
      { path: 'timeline.tracks[0].clips[0].opacity', message: 'opacity must be between 0 and 1' },
      {
        path: 'timeline.tracks[1].clips[0].asset.color',
        message: 'must be a hex colour such as #ffffff or #ffffff80, or "transparent"',
      },
      {
        path: 'timeline.tracks[1].clips[0].length',
        message: 'length must be a number of seconds, "auto", "end" or "alias://name"',
      },
    ]);
  });

  it('empty tracks and clip lists are refused', () => {
    expect(details({ timeline: { tracks: [] }, output: { format: 'mp4' } })).toEqual([
      { path: 'timeline.tracks', message: 'the timeline needs at least one track' },
    ]);
    expect(details({ timeline: { tracks: [{ clips: [] }] }, output: { format: 'mp4' } })).toEqual([
      { path: 'timeline.tracks[0].clips', message: 'a track needs at least one clip' },
    ]);
  });

  it.each(['hologram', 'teleport'])('asset type "%s" is refused, naming the supported list', (type) => {
    expect(details(editOf([clip({ type, src: 'x' })]))).toEqual([
      {
        path: 'timeline.tracks[0].clips[0].asset.type',
        message: `asset type "${type}" is not supported: ${SUPPORTED}`,
      },
    ]);
  });

  it('an asset without a type says that type is required and lists the choices', () => {
    expect(details(editOf([clip({ src: 'x' })]))).toEqual([
      {
        path: 'timeline.tracks[0].clips[0].asset.type',
        message: `asset.type is required: one of video, image, title, text, rich-text, html, svg, shape, audio, caption, luma, rich-caption, text-to-speech, text-to-image, image-to-video`,
      },
    ]);
  });

  it('output.size must be even, whole and at least 2 pixels', () => {
    expect(details(editOf([image], { format: 'mp4', size: { width: 101, height: 100 } }))).toEqual([
      { path: 'output.size.width', message: 'size.width must be even (H.264 and VP9 need even dimensions)' },
    ]);
    expect(details(editOf([image], { format: 'mp4', size: { width: 0, height: 4 } }))).toEqual([
      { path: 'output.size.width', message: 'size.width must be at least 2' },
    ]);
    expect(
      parseEdit(editOf([image], { format: 'mp4', size: { width: 2, height: 3840 } })).output.size,
    ).toEqual({
      width: 2,
      height: 3840,
    });
  });

  it.each([0, 29, 30.5, 120])('fps %s is refused with the list of rates', (fps) => {
    expect(details(editOf([image], { format: 'mp4', fps }))).toEqual([
      {
        path: 'output.fps',
        message: 'fps must be one of 12, 15, 23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60',
      },
    ]);
  });

  it.each([
    'ftp://example.com/hook',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
    'example.com/hook',
  ])('callback %s is refused: it must be http(s)', (callback) => {
    expect(details(editOf([image], undefined, { callback }))).toEqual([
      { path: 'callback', message: 'callback must be an http(s) URL' },
    ]);
  });

  it('merge entries are validated at their own path', () => {
    const raw = editOf([image], undefined, {
      merge: [
        { find: '', replace: 'x' },
        { find: 'A', replace: null },
      ],
    });
    expect(details(raw)).toEqual([
      { path: 'merge[0].find', message: 'find must not be empty' },
      { path: 'merge[1].replace', message: 'replace must be a string, number or boolean' },
    ]);
  });

  it('several problems are all reported, and the message counts them', () => {
    const raw = {
      timeline: {
        tracks: [
          { clips: [clip({ type: 'hologram', src: 'a' }), clip({ type: 'image', src: 'a' }, { fit: 'x' })] },
        ],
      },
      output: { format: 'mp4', fps: 7, size: { width: 3, height: 4 } },
      extra: 1,
    };
    const err = errorOf(() => parseEdit(raw));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details.map((d) => d.path)).toEqual([
      'timeline.tracks[0].clips[0].asset.type',
      'timeline.tracks[0].clips[1].fit',
      'output.size.width',
      'output.fps',
      'extra',
    ]);
    expect(err.message).toBe(
      `the edit has 5 problems; the first is timeline.tracks[0].clips[0].asset.type: asset type "hologram" is not supported: ${SUPPORTED}`,
    );
    expect(err.toJSON()).toEqual({ code: 'VALIDATION_FAILED', message: err.message, details: err.details });
  });

  it.each([null, undefined, 'edit', 42, true, [], [{ timeline: {} }]])(
    'non-object input %j is refused at the root',
    (raw) => {
      const err = errorOf(() => parseEdit(raw));
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details).toEqual([
        { path: '', message: 'the edit must be a JSON object with timeline and output' },
      ]);
      expect(err.message).toBe('(root): the edit must be a JSON object with timeline and output');
    },
  );
});

/**
 * BUG (lambdas/core/intake/parse-edit.ts, describe()): zod 4 leaves `issue.input` out of issues unless parsed with
 * `reportInput: true`, so `issue.input === undefined` is true for every invalid_type issue and a value of the
 * wrong type is reported as missing ("volume is required"), replacing the schema's own message. These tests
 * state the intended behaviour.
 */
describe('parseEdit: wrong types (known bug, see comment)', () => {
  it('a string where a number belongs is not called "required"', () => {
    const [d] = details(editOf([clip({ type: 'video', src: 'a.mp4', volume: 'loud' })]));
    expect(d!.path).toBe('timeline.tracks[0].clips[0].asset.volume');
    expect(d!.message).not.toBe('volume is required');
  });

  it('a fractional size keeps the schema’s "whole number of pixels" message', () => {
    expect(details(editOf([image], { format: 'mp4', size: { width: 100, height: 100.5 } }))).toEqual([
      { path: 'output.size.height', message: 'size.height must be a whole number of pixels' },
    ]);
  });

  it('timeline given as a string is not "required"', () => {
    const d = details({ timeline: 'x', output: { format: 'mp4' } });
    expect(d[0]!.message).not.toBe('timeline is required');
  });
});

describe('parseEdit: limits', () => {
  const limitOf = (raw: unknown, limits = {}) => {
    const err = errorOf(() => parseEdit(raw, limits));
    expect(err.code).toBe('LIMIT_EXCEEDED');
    return err;
  };
  const tracks = (n: number, perTrack = 1): Json => ({
    timeline: {
      tracks: Array.from({ length: n }, () => ({ clips: Array.from({ length: perTrack }, () => image) })),
    },
    output: { format: 'mp4' },
  });

  it('maxTracks: the default and an override', () => {
    expect(() => parseEdit(tracks(DEFAULT_LIMITS.maxTracks))).not.toThrow();
    expect(limitOf(tracks(DEFAULT_LIMITS.maxTracks + 1)).details).toEqual([
      { path: 'timeline.tracks', message: `has 51 tracks; the limit is 50 (maxTracks)` },
    ]);
    expect(() => parseEdit(tracks(2), { maxTracks: 2 })).not.toThrow();
    const err = limitOf(tracks(3), { maxTracks: 2 });
    expect(err.details).toEqual([
      { path: 'timeline.tracks', message: 'has 3 tracks; the limit is 2 (maxTracks)' },
    ]);
    expect(err.message).toBe('timeline.tracks has 3 tracks; the limit is 2 (maxTracks)');
  });

  it('maxClipsPerTrack and maxClips', () => {
    expect(limitOf(tracks(1, 3), { maxClipsPerTrack: 2 }).details).toEqual([
      { path: 'timeline.tracks[0].clips', message: 'has 3 clips; the limit is 2 (maxClipsPerTrack)' },
    ]);
    expect(limitOf(tracks(3, 2), { maxClips: 5 }).details).toEqual([
      { path: 'timeline.tracks', message: 'has 6 clips in all; the limit is 5 (maxClips)' },
    ]);
    expect(() => parseEdit(tracks(3, 2), { maxClips: 6 })).not.toThrow();
  });

  it('maxTextLength counts the text of title and text assets', () => {
    const long = 'x'.repeat(DEFAULT_LIMITS.maxTextLength + 1);
    expect(() => parseEdit(editOf([clip({ type: 'title', text: long.slice(1) })]))).not.toThrow();
    expect(limitOf(editOf([image, clip({ type: 'title', text: long })])).details).toEqual([
      {
        path: 'timeline.tracks[1].clips[0].asset.text',
        message: 'is 5001 characters; the limit is 5000 (maxTextLength)',
      },
    ]);
    expect(limitOf(editOf([clip({ type: 'text', text: 'abcdef' })]), { maxTextLength: 5 }).details).toEqual([
      {
        path: 'timeline.tracks[0].clips[0].asset.text',
        message: 'is 6 characters; the limit is 5 (maxTextLength)',
      },
    ]);
  });

  it('maxDurationSeconds: numeric start + length past the limit, and output.range', () => {
    expect(() =>
      parseEdit(editOf([clip({ type: 'image', src: 'a' }, { start: 10799, length: 1 })])),
    ).not.toThrow();
    expect(
      limitOf(editOf([clip({ type: 'image', src: 'a' }, { start: 10000, length: 800.5 })])).details,
    ).toEqual([
      {
        path: 'timeline.tracks[0].clips[0].length',
        message: 'ends at 10800.5 s; the timeline limit is 10800 s (maxDurationSeconds)',
      },
    ]);
    expect(
      limitOf(editOf([clip({ type: 'image', src: 'a' }, { start: 30, length: 31 })]), {
        maxDurationSeconds: 60,
      }).details[0],
    ).toEqual({
      path: 'timeline.tracks[0].clips[0].length',
      message: 'ends at 61 s; the timeline limit is 60 s (maxDurationSeconds)',
    });
    expect(
      limitOf(editOf([image], { format: 'mp4', range: { start: 0, length: 61 } }), { maxDurationSeconds: 60 })
        .details,
    ).toEqual([{ path: 'output.range.length', message: 'is longer than 60 s (maxDurationSeconds)' }]);
  });

  it('"auto" starts are left to the timeline resolver (the end is not known before probing)', () => {
    expect(() =>
      parseEdit(editOf([clip({ type: 'video', src: 'a' }, { start: 'auto', length: 100 })]), {
        maxDurationSeconds: 50,
      }),
    ).not.toThrow();
  });

  it('output size larger than maxWidth / maxHeight', () => {
    expect(limitOf(editOf([image], { format: 'mp4', size: { width: 3842, height: 100 } })).details).toEqual([
      { path: 'output.size', message: '3842×100 is larger than the limit 3840×3840 (maxWidth × maxHeight)' },
    ]);
    expect(
      limitOf(editOf([image], { format: 'mp4', size: { width: 100, height: 3842 } })).details[0]!.path,
    ).toBe('output.size');
    expect(
      limitOf(editOf([image], { format: 'mp4', size: { width: 642, height: 360 } }), { maxWidth: 640 })
        .details,
    ).toEqual([
      { path: 'output.size', message: '642×360 is larger than the limit 640×3840 (maxWidth × maxHeight)' },
    ]);
    expect(() =>
      parseEdit(editOf([image], { format: 'mp4', size: { width: 3840, height: 3840 } })),
    ).not.toThrow();
  });

  it('maxFonts', () => {
    const raw = {
      ...editOf([image]),
      timeline: { fonts: [{ src: 'a.ttf' }, { src: 'b.ttf' }], tracks: [{ clips: [image] }] },
    };
    expect(limitOf(raw, { maxFonts: 1 }).details).toEqual([
      { path: 'timeline.fonts', message: 'has 2 fonts; the limit is 1 (maxFonts)' },
    ]);
  });

  it('maxMergeFields is checked on the merge array itself', () => {
    const merge = (n: number) => Array.from({ length: n }, (_, i) => ({ find: `F${i}`, replace: i }));
    expect(() =>
      parseEdit(editOf([image], undefined, { merge: merge(DEFAULT_LIMITS.maxMergeFields) })),
    ).not.toThrow();
    expect(limitOf(editOf([image], undefined, { merge: merge(201) })).details).toEqual([
      { path: 'merge', message: 'has 201 fields; the limit is 200 (maxMergeFields)' },
    ]);
    const err = limitOf(editOf([image], undefined, { merge: merge(2) }), { maxMergeFields: 1 });
    expect(err.message).toBe('merge has 2 fields; the limit is 1 (maxMergeFields)');
  });

  it('limit problems are all reported together', () => {
    const raw = {
      timeline: {
        tracks: [
          { clips: [image, image, image] },
          { clips: [image, clip({ type: 'title', text: 'too long' })] },
        ],
      },
      output: { format: 'mp4', range: { start: 0, length: 100 } },
    };
    const err = limitOf(raw, { maxClipsPerTrack: 2, maxClips: 4, maxTextLength: 3, maxDurationSeconds: 50 });
    expect(err.details.map((d) => d.path)).toEqual([
      'timeline.tracks[0].clips',
      'timeline.tracks[1].clips[1].asset.text',
      'timeline.tracks',
      'output.range.length',
    ]);
    expect(err.message).toBe('timeline.tracks[0].clips has 3 clips; the limit is 2 (maxClipsPerTrack)');
  });

  it('limits are checked on the merged edit', () => {
    const raw = editOf([clip({ type: 'title', text: 'Hi {{ NAME }}' })], undefined, {
      merge: [{ find: 'NAME', replace: 'abcdefgh' }],
    });
    expect(() => parseEdit(raw, { maxTextLength: 11 })).not.toThrow();
    expect(limitOf(raw, { maxTextLength: 10 }).details[0]!.message).toBe(
      'is 11 characters; the limit is 10 (maxTextLength)',
    );
  });
});

describe('asset types named like Object.prototype members', () => {
  it.each(['valueOf', 'constructor', 'toString', '__proto__'])(
    '"%s" is refused as an unknown type, with a message',
    (type) => {
      const raw = {
        timeline: { tracks: [{ clips: [{ asset: { type }, start: 0, length: 1 }] }] },
        output: { format: 'mp4' },
      };
      try {
        parseEdit(raw);
        expect.unreachable();
      } catch (err) {
        const e = err as CutlineError;
        expect(e.code).toBe('VALIDATION_FAILED');
        for (const d of e.details) expect(typeof d.message).toBe('string');
      }
    },
  );
});
