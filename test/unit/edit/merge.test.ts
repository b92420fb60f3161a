import { describe, expect, it } from 'vitest';
import { applyMerge, mergedJsonBytes } from '../../../lambdas/core/edit/merge.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import type { Edit } from '../../../lambdas/core/edit/schema.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { jobKind, storedRequest } from '../../../lambdas/core/kinds/registry.js';

type Json = Record<string, unknown>;
const edit = (clip: Json, extra: Json = {}): Json => ({
  timeline: { tracks: [{ clips: [{ start: 0, length: 1, ...clip }] }] },
  output: { format: 'mp4' },
  ...extra,
});

describe('applyMerge', () => {
  it('replaces {{ find }} with and without spaces, in every nested string', () => {
    const value = {
      a: 'Hello {{NAME}}!',
      b: ['{{ NAME }} and {{  NAME}}', { c: 'x{{NAME  }}y', d: [['deep {{ NAME }}']] }],
    };
    expect(applyMerge(value, [{ find: 'NAME', replace: 'Ada' }])).toEqual({
      a: 'Hello Ada!',
      b: ['Ada and Ada', { c: 'xAday', d: [['deep Ada']] }],
    });
  });

  it('leaves keys, numbers, booleans and null alone', () => {
    const value = { '{{K}}': '{{K}}', n: 3, t: true, z: null, arr: [1, false] };
    expect(applyMerge(value, [{ find: 'K', replace: 'v' }])).toEqual({
      '{{K}}': 'v',
      n: 3,
      t: true,
      z: null,
      arr: [1, false],
    });
  });

  it('a string that is exactly one placeholder takes the replacement’s type', () => {
    const out = applyMerge({ a: '{{ N }}', b: '{{N}}', c: 'n={{ N }}', d: '{{ F }}', e: ' {{N}}' }, [
      { find: 'N', replace: 4 },
      { find: 'F', replace: false },
    ]);
    expect(out).toEqual({ a: 4, b: 4, c: 'n=4', d: false, e: ' 4' });
  });

  it('treats regular-expression characters in find literally', () => {
    const out = applyMerge({ a: '{{a.b}} {{axb}}', b: '{{$1}}-{{(x)}}-{{a+}}-{{[c]}}-{{a|b}}' }, [
      { find: 'a.b', replace: 'DOT' },
      { find: '$1', replace: 'DOLLAR' },
      { find: '(x)', replace: 'PAREN' },
      { find: 'a+', replace: 'PLUS' },
      { find: '[c]', replace: 'BRACKET' },
      { find: 'a|b', replace: 'PIPE' },
    ]);
    expect(out).toEqual({ a: 'DOT {{axb}}', b: 'DOLLAR-PAREN-PLUS-BRACKET-PIPE' });
  });

  it('inserts replacement text literally ($& and $1 are not expanded)', () => {
    expect(applyMerge({ a: 'x {{P}} y' }, [{ find: 'P', replace: '$& $1 $$' }])).toEqual({
      a: 'x $& $1 $$ y',
    });
  });

  it('leaves unknown placeholders and near-misses as they are', () => {
    const out = applyMerge({ a: '{{ OTHER }}', b: '{NAME}', c: '{{NAMES}}', d: '{{ name }}' }, [
      { find: 'NAME', replace: 'x' },
    ]);
    expect(out).toEqual({ a: '{{ OTHER }}', b: '{NAME}', c: '{{NAMES}}', d: '{{ name }}' });
  });

  it('returns the value untouched without fields and does not mutate its input', () => {
    const value = { a: '{{X}}', b: ['{{X}}'] };
    expect(applyMerge(value, [])).toBe(value);
    const out = applyMerge(value, [{ find: 'X', replace: 'y' }]);
    expect(out).toEqual({ a: 'y', b: ['y'] });
    expect(value).toEqual({ a: '{{X}}', b: ['{{X}}'] });
  });
});

describe('parseEdit with merge', () => {
  it('merges before validating: a whole placeholder becomes a number in length', () => {
    const raw = edit(
      { asset: { type: 'title', text: 'Hi {{ NAME }}' }, length: '{{LEN}}', start: '{{ START }}' },
      {
        merge: [
          { find: 'NAME', replace: 'Ada' },
          { find: 'LEN', replace: 4 },
          { find: 'START', replace: 1.5 },
        ],
      },
    );
    const parsed = parseEdit(raw);
    const clip = parsed.timeline.tracks[0]!.clips[0]!;
    expect(clip.length).toBe(4);
    expect(clip.start).toBe(1.5);
    expect(clip.asset).toEqual({ type: 'title', text: 'Hi Ada' });
    // Merged once: the result (what is stored and rendered) has no merge list left to apply again.
    expect(parsed).not.toHaveProperty('merge');
    expect(parseEdit(parsed)).toEqual(parsed);
  });

  it('merges exactly once: a replacement holding {{B}} stays literal, even when parsed again', () => {
    const raw = edit(
      { asset: { type: 'title', text: 'A={{A}}' } },
      {
        merge: [
          { find: 'A', replace: '{{B}}' },
          { find: 'B', replace: 'boom' },
        ],
      },
    );
    const once = parseEdit(raw);
    expect(once.timeline.tracks[0]!.clips[0]!.asset).toEqual({ type: 'title', text: 'A={{B}}' });
    // The pipeline re-validates the stored request: it must not merge it a second time.
    expect(parseEdit(once).timeline.tracks[0]!.clips[0]!.asset).toEqual({ type: 'title', text: 'A={{B}}' });
  });

  it('a job stored before merge-once (merged edit + its list) is not merged again by the pipeline', () => {
    const stored = {
      ...edit({ asset: { type: 'title', text: 'A={{B}}' } }),
      merge: [{ find: 'B', replace: 'boom' }],
    };
    const again = storedRequest(jobKind('render'), stored) as Edit;
    expect(again.timeline.tracks[0]!.clips[0]!.asset).toEqual({ type: 'title', text: 'A={{B}}' });
  });

  it('measures a merge before applying it: an amplifying merge is PAYLOAD_TOO_LARGE at merge', () => {
    const raw = edit(
      { asset: { type: 'title', text: '{{X}}'.repeat(1000) } },
      { merge: [{ find: 'X', replace: 'y'.repeat(1000) }] },
    );
    expect(mergedJsonBytes(raw.timeline, [{ find: 'X', replace: 'y'.repeat(1000) }])).toBe(
      JSON.stringify(applyMerge(raw.timeline, [{ find: 'X', replace: 'y'.repeat(1000) }])).length,
    );
    try {
      parseEdit(raw);
      expect.unreachable('an edit merging to 1 MB was accepted');
    } catch (err) {
      expect((err as CutlineError).code).toBe('PAYLOAD_TOO_LARGE');
      expect((err as CutlineError).details[0]!.path).toBe('merge');
    }
  });

  it('mergedJsonBytes equals the merged JSON size, escapes and whole-value placeholders included', () => {
    const fields = [
      { find: 'Q', replace: 'a"b\\c\n' },
      { find: 'N', replace: 12345 },
      { find: 'T', replace: true },
    ];
    const value = { a: 'x{{Q}}y{{ Q }}', b: ['{{N}}', '{{T}}', 'n={{N}}'], c: { d: '{{Q}}', e: 7 } };
    expect(mergedJsonBytes(value, fields)).toBe(Buffer.byteLength(JSON.stringify(applyMerge(value, fields))));
  });

  it('merges into output and timeline fields too (src, format, background)', () => {
    const raw = {
      timeline: {
        background: '{{BG}}',
        tracks: [{ clips: [{ asset: { type: 'image', src: '{{ IMG }}' }, start: 0, length: 1 }] }],
      },
      output: { format: '{{FMT}}' },
      merge: [
        { find: 'BG', replace: '#ff0000' },
        { find: 'IMG', replace: 'https://example.com/a.png' },
        { find: 'FMT', replace: 'gif' },
      ],
    };
    const parsed = parseEdit(raw);
    expect(parsed.timeline.background).toBe('#ff0000');
    expect(parsed.timeline.tracks[0]!.clips[0]!.asset).toEqual({
      type: 'image',
      src: 'https://example.com/a.png',
    });
    expect(parsed.output.format).toBe('gif');
  });

  it('a merged-in bad value is reported at its path', () => {
    const bad = (clip: Json, find: string, replace: string | number | boolean) => {
      try {
        parseEdit(edit(clip, { merge: [{ find, replace }] }));
      } catch (err) {
        if (err instanceof CutlineError) return err;
        throw err;
      }
      throw new Error('expected a CutlineError');
    };
    const neg = bad({ asset: { type: 'image', src: 'a' }, length: '{{LEN}}' }, 'LEN', -3);
    expect(neg.code).toBe('VALIDATION_FAILED');
    expect(neg.details).toEqual([
      { path: 'timeline.tracks[0].clips[0].length', message: 'length must be more than 0' },
    ]);
    const fit = bad({ asset: { type: 'image', src: 'a' }, fit: '{{FIT}}' }, 'FIT', 'stretch');
    expect(fit.details.map((d) => d.path)).toEqual(['timeline.tracks[0].clips[0].fit']);
    const text = bad({ asset: { type: 'title', text: '{{T}}' } }, 'T', '');
    expect(text.details).toEqual([
      { path: 'timeline.tracks[0].clips[0].asset.text', message: 'text must not be empty' },
    ]);
  });

  it('an unmerged placeholder is validated as the literal string it is', () => {
    const raw = edit(
      { asset: { type: 'image', src: 'a' }, length: '{{LEN}}' },
      { merge: [{ find: 'OTHER', replace: 1 }] },
    );
    try {
      parseEdit(raw);
      throw new Error('expected a CutlineError');
    } catch (err) {
      expect(err).toBeInstanceOf(CutlineError);
      expect((err as CutlineError).details).toEqual([
        {
          path: 'timeline.tracks[0].clips[0].length',
          message: 'length must be a number of seconds, "auto" or "end"',
        },
      ]);
    }
    // Without merge nothing is replaced: placeholders in text stay.
    const plain = parseEdit(edit({ asset: { type: 'title', text: 'Hi {{ NAME }}' } }));
    expect(plain.timeline.tracks[0]!.clips[0]!.asset).toEqual({ type: 'title', text: 'Hi {{ NAME }}' });
  });

  it('find is trimmed by validation, so " NAME " matches {{NAME}}', () => {
    const parsed = parseEdit(
      edit({ asset: { type: 'title', text: '{{NAME}}!' } }, { merge: [{ find: ' NAME ', replace: 'x' }] }),
    );
    expect(parsed.timeline.tracks[0]!.clips[0]!.asset).toEqual({ type: 'title', text: 'x!' });
  });
});

/**
 * BUG (lambdas/core/edit/merge.ts): in a string with other text, replacements are applied one field after
 * another, so a replacement value that itself contains `{{ OTHER }}` is merged again by a later field
 * (order-dependent), while the same value in a whole-string placeholder is inserted as is. Intended: a
 * replacement is inserted literally, in one pass.
 */
describe('applyMerge: replacements are not merged again (known bug, see comment)', () => {
  it('a replacement containing another placeholder is inserted literally', () => {
    const fields = [
      { find: 'A', replace: '{{B}}' },
      { find: 'B', replace: 'z' },
    ];
    expect(applyMerge({ whole: '{{A}}', part: '{{A}}!' }, fields)).toEqual({
      whole: '{{B}}',
      part: '{{B}}!',
    });
  });
});
