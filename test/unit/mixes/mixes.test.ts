import { describe, expect, it } from 'vitest';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { jobKind } from '../../../lambdas/core/kinds/registry.js';
import { mixKind, mixSequences, parseMixRequest, variationEdit } from '../../../lambdas/core/mixes/kind.js';
import { decodeCombination, pickVariations } from '../../../lambdas/core/mixes/variations.js';

const groups = [
  { name: 'hook', clips: ['h1.mp4', 'h2.mp4', 'h3.mp4'] },
  { name: 'body', clips: ['b1.mp4', { src: 'b2.mp4', trim: 1, length: 2 }] },
  { name: 'cta', clips: ['c1.mp4', 'c2.mp4'] },
];

function failure(body: unknown): CutlineError {
  try {
    parseMixRequest(body);
  } catch (err) {
    return err as CutlineError;
  }
  throw new Error('expected the request to be refused');
}

describe('mix variations', () => {
  it('is registered as the mix job kind', () => {
    expect(jobKind('mix')).toBe(mixKind);
  });

  it('auto: unique combinations, one clip per group, deterministic for a seed', () => {
    const req = parseMixRequest({ groups, mode: 'auto', count: 12, seed: 7 });
    const seqs = mixSequences(req);
    expect(seqs).toHaveLength(12);
    expect(new Set(seqs.map((s) => s.join(','))).size).toBe(12);
    for (const s of seqs) {
      expect(s).toHaveLength(3);
      s.forEach((c, g) => expect(c).toBeLessThan(groups[g]!.clips.length));
    }
    expect(mixSequences(req)).toEqual(seqs);
    const other = mixSequences(parseMixRequest({ groups, mode: 'auto', count: 5, seed: 8 }));
    expect(other).not.toEqual(mixSequences(parseMixRequest({ groups, mode: 'auto', count: 5, seed: 7 })));
  });

  it('draws from a large space without repeats', () => {
    const sizes = [100, 100, 100];
    const picks = pickVariations(sizes, 1000, 3);
    expect(new Set(picks.map((p) => p.join(','))).size).toBe(1000);
    expect(decodeCombination(7, [2, 2, 2])).toEqual([1, 1, 1]);
    expect(decodeCombination(4, [2, 2, 2])).toEqual([1, 0, 0]);
  });

  it('refuses more variations than combinations or than maxVariations, at count', () => {
    const tooMany = failure({ groups, mode: 'auto', count: 13 });
    expect(tooMany.details).toContainEqual({
      path: 'count',
      message: 'asks for 13 variations but the groups allow only 12 unique combinations',
    });
    const capped = failure({ groups, mode: 'auto', count: 6, maxVariations: 5 });
    expect(capped.details).toContainEqual({
      path: 'count',
      message: 'asks for 6 variations; maxVariations is 5',
    });
    expect(failure({ groups, mode: 'auto', count: 1, maxVariations: 5000 }).details[0]!.path).toBe(
      'maxVariations',
    );
  });

  it('manual: explicit sequences, checked against the groups', () => {
    const req = parseMixRequest({
      groups,
      mode: 'manual',
      sequences: [
        [0, 1, 1],
        [2, 0, 0],
      ],
    });
    expect(mixSequences(req)).toEqual([
      [0, 1, 1],
      [2, 0, 0],
    ]);
    const bad = failure({
      groups,
      mode: 'manual',
      sequences: [
        [0, 2, 0],
        [0, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
    });
    const paths = bad.details.map((d) => d.path);
    expect(paths).toEqual(['sequences[0][1]', 'sequences[1]', 'sequences[3]']);
    expect(bad.details[0]!.message).toMatch(/"body" has 2 clips/);
    expect(bad.details[2]!.message).toBe('repeats sequences[2]');
    expect(failure({ groups, mode: 'manual' }).details[0]!.path).toBe('sequences');
    expect(failure({ groups: [groups[0], groups[0]], mode: 'auto', count: 1 }).details[0]!.path).toBe(
      'groups[1].name',
    );
  });

  it('a variation is an edit of back-to-back clips (crossfades overlap them) with its sources in metadata', () => {
    const req = parseMixRequest({ groups, mode: 'auto', count: 1, crossfade: 0.5, title: 'Spring' });
    const clips = [
      { group: 'hook', index: 0, src: 'h1.mp4', trim: 0, length: 2, at: '' },
      { group: 'body', index: 1, src: 'b2.mp4', trim: 1, length: 2, at: '' },
    ];
    const edit = variationEdit(req, clips, 3);
    const placed = edit.timeline.tracks[0]!.clips;
    expect(placed.map((c) => [c.start, c.length])).toEqual([
      [0, 2],
      [1.5, 2],
    ]);
    expect(placed[1]!.asset).toMatchObject({ src: 'b2.mp4', trim: 1 });
    expect(edit.output.metadata).toEqual({
      title: 'Spring — variation 3',
      comment: 'sources: h1.mp4, b2.mp4',
    });
    expect(mixKind.sources(req).map((s) => s.at)).toContain('groups[1].clips[1].src');
  });
});
