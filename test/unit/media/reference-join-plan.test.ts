import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseJoin } from '../../../lambdas/core/engine/reference-join.js';
import type { Segment } from '../../../lambdas/core/media/mp4-join.js';
import { planMultipart, S3_MIN_PART } from '../../../lambdas/core/objects/multipart-plan.js';

const MiB = 1024 * 1024;

describe('chooseJoin', () => {
  it('joins MP4 chunks with AAC parts (or no audio) by reference', () => {
    expect(chooseJoin({ format: 'mp4', audio: 'parts' })).toEqual({ method: 'reference' });
    expect(chooseJoin({ format: 'mp4', audio: null })).toEqual({ method: 'reference' });
  });
  it('keeps the ffmpeg stitch for webm, mov, smart pieces, one audio file and whole-file packaging', () => {
    for (const c of [
      { format: 'webm', audio: 'file' },
      { format: 'mov', audio: 'parts' },
      { format: 'mp4', audio: 'parts', durations: true },
      { format: 'mp4', audio: 'file' },
      { format: 'mp4', audio: 'parts', needsWholeFile: true },
    ] as const)
      expect(chooseJoin(c).method, JSON.stringify(c)).toBe('ffmpeg');
  });
});

/** The bytes a plan assembles, from fake sources whose byte i of source s is (s × 31 + i) mod 251. */
const sourceByte = (s: number, i: number) => (s * 31 + i) % 251;
function assemble(plan: ReturnType<typeof planMultipart>): number[] {
  const out: number[] = [];
  const range = (r: { source: number; start: number; end: number }) => {
    for (let i = r.start; i < r.end; i++) out.push(sourceByte(r.source, i));
  };
  for (const p of plan.parts)
    if ('copy' in p) range(p.copy);
    else
      for (const x of p.upload)
        if ('bytes' in x) out.push(...x.bytes);
        else range(x.range);
  return out;
}
function expected(segments: readonly Segment[]): number[] {
  const out: number[] = [];
  for (const s of segments)
    if ('bytes' in s) out.push(...s.bytes);
    else for (let i = s.start; i < s.end; i++) out.push(sourceByte(s.part, i));
  return out;
}

describe('planMultipart', () => {
  it('copies big part ranges, uploads the head and audio, and fills a small head from the next range', () => {
    const head = Buffer.alloc(1000, 1);
    const plan = planMultipart([
      { bytes: head },
      { part: 0, start: 48, end: 48 + 11 * MiB },
      { part: 1, start: 48, end: 48 + 11 * MiB },
      { bytes: Buffer.alloc(3 * MiB, 2) },
      { part: 2, start: 48, end: 48 + 2 * MiB },
    ]);
    expect(plan.parts.map((p) => ('copy' in p ? 'copy' : 'upload'))).toEqual([
      'upload',
      'copy',
      'copy',
      'upload',
    ]);
    // The head borrowed the front of part 0 to reach 5 MiB.
    const first = plan.parts[0]!;
    expect('upload' in first && first.upload[1]).toEqual({
      range: { source: 0, start: 48, end: 48 + S3_MIN_PART - 1000 },
    });
    expect(plan.copiedBytes).toBe(22 * MiB - (S3_MIN_PART - 1000));
    expect(plan.fetchedBytes).toBe(S3_MIN_PART - 1000 + 2 * MiB);
  });

  it('splits a copy over the maximum part size into even pieces', () => {
    const plan = planMultipart([{ part: 0, start: 0, end: 25 }], { minPart: 5, maxPart: 10 });
    expect(plan.parts).toEqual([
      { copy: { source: 0, start: 0, end: 8 } },
      { copy: { source: 0, start: 8, end: 16 } },
      { copy: { source: 0, start: 16, end: 25 } },
    ]);
  });

  it('refuses more parts than S3 allows', () => {
    const segs = Array.from({ length: 12 }, (_, i) => ({ part: i, start: 0, end: 10 }));
    expect(() => planMultipart(segs, { minPart: 10, maxPart: 100, maxParts: 10 })).toThrow(
      /needs 12 parts; S3 allows 10/,
    );
  });

  it('any layout: the parts concatenate to the layout, every part but the last ≥ the minimum, none over the maximum', () => {
    const segment = fc.oneof(
      fc.integer({ min: 0, max: 40 }).map((n): Segment => ({ bytes: Buffer.alloc(n, n % 7) })),
      fc
        .tuple(
          fc.integer({ min: 0, max: 5 }),
          fc.integer({ min: 0, max: 30 }),
          fc.integer({ min: 0, max: 90 }),
        )
        .map(([part, start, n]): Segment => ({ part, start, end: start + n })),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 30 }), (segments) => {
        const plan = planMultipart(segments, { minPart: 16, maxPart: 40, maxParts: 10_000 });
        expect(assemble(plan)).toEqual(expected(segments));
        plan.parts.forEach((p, i) => {
          const n =
            'copy' in p
              ? p.copy.end - p.copy.start
              : p.upload.reduce(
                  (t, x) => t + ('bytes' in x ? x.bytes.length : x.range.end - x.range.start),
                  0,
                );
          if (i < plan.parts.length - 1) expect(n).toBeGreaterThanOrEqual(16);
          expect(n).toBeLessThanOrEqual(40);
          expect(n).toBeGreaterThan(0);
        });
      }),
      { numRuns: 300 },
    );
  });
});
