import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { expandPresets, presetRenditions, socialSize } from '../../../lambdas/core/packaging/social.js';
import { frameSize } from '../../../lambdas/core/render/output-spec.js';

const edit = (output: Record<string, unknown>) => ({
  timeline: {
    tracks: [{ clips: [{ asset: { type: 'video', src: 'a.mp4' }, start: 0, length: 2, fit: 'crop' }] }],
  },
  output: { format: 'mp4', ...output },
});

function refusal(raw: unknown): CutlineError {
  try {
    parseEdit(raw);
  } catch (err) {
    if (err instanceof CutlineError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('output.presets schema', () => {
  it('accepts names and { name, ...options }', () => {
    const e = parseEdit(
      edit({
        presets: [
          'web',
          { name: 'hls', ladder: [720, 480], segmentSeconds: 4 },
          { name: 'loudness', target: -14 },
          { name: 'thumbnails', interval: 2 },
          'preview-gif',
          { name: 'social', aspectRatios: ['9:16'] },
        ],
      }),
    );
    expect(e.output.presets).toHaveLength(6);
  });

  it('reports bad entries with their JSON path', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [['dash'], 'output.presets[0]', /preset name/],
      [[{ name: 'hls', segmentSeconds: 0 }], 'output.presets[0].segmentSeconds', /at least 1/],
      [[{ name: 'hls', ladder: [4000] }], 'output.presets[0].ladder[0]', /at most 2160/],
      [[{ name: 'hls', bitrate: 1 }], 'output.presets[0].bitrate', /unknown field/],
      [[{ name: 'loudness', target: 3 }], 'output.presets[0].target', /at most -5/],
      [['web', 'web'], 'output.presets[1]', /listed twice/],
      [[{ name: 'social', aspectRatios: ['1:1', '1:1'] }], 'output.presets[0].aspectRatios', /repeat/],
    ];
    for (const [presets, path, message] of cases) {
      const err = refusal(edit({ presets }));
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details[0]!.path).toBe(path);
      expect(err.details[0]!.message).toMatch(message);
    }
  });

  it('refuses presets the output format cannot carry, naming the entry', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ format: 'gif', presets: ['hls'] }, 'output.presets[0]'],
      [{ format: 'mp3', presets: ['thumbnails'] }, 'output.presets[0]'],
      [{ format: 'mov', presets: ['web'] }, 'output.presets[0]'],
      [{ format: 'mp4', mute: true, presets: ['hls', 'loudness'] }, 'output.presets[1]'],
      [{ format: 'jpg', presets: ['loudness'] }, 'output.presets[0]'],
      [{ format: 'wav', presets: ['social'] }, 'output.presets[0]'],
    ];
    for (const [output, path] of cases) {
      const err = refusal(edit(output));
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details.map((d) => d.path)).toEqual([path]);
    }
    expect(() => parseEdit(edit({ format: 'mp3', presets: ['loudness'] }))).not.toThrow();
  });
});

describe('social renditions', () => {
  it('the same edit at each ratio, keeping the short side and the user’s fit; loudness -14 by default', () => {
    const e = parseEdit(edit({ resolution: 'hd', presets: ['social', 'hls', 'loudness'] }));
    const rs = expandPresets(e);
    expect(rs.map((r) => r.name)).toEqual(['output', 'social-9x16', 'social-1x1', 'social-16x9']);
    expect(rs[0]!.edit).toBe(e);
    for (const r of rs.slice(1)) {
      expect(frameSize(r.edit.output)).toEqual(socialSize(e.output, r.meta!.aspectRatio as '9:16'));
      expect(Math.min(...Object.values(frameSize(r.edit.output)))).toBe(720);
      expect(r.edit.output.presets).toEqual([{ name: 'loudness', target: -14 }]);
      expect(r.edit.timeline).toBe(e.timeline);
      // A rendition is itself a valid edit (it runs through the pipeline like any other).
      expect(parseEdit(JSON.parse(JSON.stringify(r.edit)))).toEqual(r.edit);
    }
    expect(frameSize(rs[1]!.edit.output)).toEqual({ width: 720, height: 1280 });
  });

  it('an explicit size is recomputed per ratio; an explicit loudness target wins; no loudness, none added', () => {
    const e = parseEdit(
      edit({
        size: { width: 640, height: 360 },
        presets: [
          { name: 'social', aspectRatios: ['9:16', '4:5'] },
          { name: 'loudness', target: -12 },
        ],
      }),
    );
    const [portrait, fourFive] = presetRenditions('social', e);
    expect(portrait!.edit.output.size).toEqual({ width: 360, height: 640 });
    expect(fourFive!.edit.output.size).toEqual({ width: 360, height: 450 });
    expect(portrait!.edit.output.presets).toEqual([{ name: 'loudness', target: -12 }]);
    const plain = parseEdit(edit({ presets: ['social'] }));
    expect(presetRenditions('social', plain)[0]!.edit.output.presets).toBeUndefined();
    expect(presetRenditions('hls', plain)).toEqual([]);
    expect(expandPresets(parseEdit(edit({})))).toHaveLength(1);
  });
});
