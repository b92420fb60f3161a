import { CutlineError } from '../errors.js';
import type { Segment } from '../media/mp4-join.js';

/**
 * S3's multipart rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): every part
 * but the last at least 5 MiB, none over 5 GiB, at most 10,000 parts. CompleteMultipartUpload answers
 * EntityTooSmall otherwise; the local S3 proxy enforces the same (local/s3-auth-proxy.ts).
 */
export const S3_MIN_PART = 5 * 1024 * 1024;
export const S3_MAX_PART = 5 * 1024 * 1024 * 1024;
export const S3_MAX_PARTS = 10_000;

/** A byte range `[start, end)` of source object `source` (an index into the caller's keys). */
export interface SourceRange {
  source: number;
  start: number;
  end: number;
}

/** One part of the multipart upload: copied server-side (UploadPartCopy), or uploaded from pieces. */
export type PlannedPart =
  { copy: SourceRange } | { upload: Array<{ bytes: Buffer } | { range: SourceRange }> };

export interface MultipartPlan {
  parts: PlannedPart[];
  /** Bytes the caller uploads (its own, and ranges it reads back to fill small parts), and bytes S3 copies. */
  uploadedBytes: number;
  fetchedBytes: number;
  copiedBytes: number;
}

const partBytes = (p: PlannedPart) =>
  'copy' in p
    ? p.copy.end - p.copy.start
    : p.upload.reduce((n, x) => n + ('bytes' in x ? x.bytes.length : x.range.end - x.range.start), 0);

/**
 * Pure: the layout's segments as multipart parts. Ranges of at least `minPart` are copied by S3; the
 * caller's bytes and any smaller range go into uploaded parts, and a part that would be too small
 * borrows the front of the next range (read back with a ranged GET), or all of it when the rest would be
 * too small to copy, so every part but the last is at least `minPart`. Copies over `maxPart` are split.
 */
export function planMultipart(
  segments: readonly Segment[],
  { minPart = S3_MIN_PART, maxPart = S3_MAX_PART, maxParts = S3_MAX_PARTS } = {},
): MultipartPlan {
  const parts: PlannedPart[] = [];
  let pending: Array<{ bytes: Buffer } | { range: SourceRange }> = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length) parts.push({ upload: pending });
    pending = [];
    pendingBytes = 0;
  };
  for (const s of segments) {
    if ('bytes' in s) {
      // The caller's bytes fill uploaded parts up to the maximum size.
      for (let at = 0; at < s.bytes.length;) {
        const take = Math.min(s.bytes.length - at, maxPart - pendingBytes);
        pending.push({ bytes: s.bytes.subarray(at, at + take) });
        pendingBytes += take;
        at += take;
        if (pendingBytes >= maxPart) flush();
      }
      continue;
    }
    let start = s.start;
    if (pendingBytes > 0) {
      // Borrow what the part lacks, or the whole range when what it left could not be copied on its own.
      const need = minPart - pendingBytes;
      const length = s.end - start;
      const borrow = length - need >= minPart ? need : length;
      if (borrow > 0) {
        pending.push({ range: { source: s.part, start, end: start + borrow } });
        pendingBytes += borrow;
        start += borrow;
      }
      if (pendingBytes >= minPart) flush();
    }
    const rest = s.end - start;
    if (rest <= 0) continue;
    if (rest < minPart) {
      pending.push({ range: { source: s.part, start, end: s.end } });
      pendingBytes += rest;
      continue;
    }
    // Even pieces, each at most maxPart (and so each at least minPart when rest ≥ minPart).
    const pieces = Math.ceil(rest / maxPart);
    for (let i = 0; i < pieces; i++) {
      const a = start + Math.floor((rest * i) / pieces);
      const b = start + Math.floor((rest * (i + 1)) / pieces);
      parts.push({ copy: { source: s.part, start: a, end: b } });
    }
  }
  flush();
  if (parts.length > maxParts)
    throw new CutlineError(
      'RENDER_FAILED',
      `multipart plan: the joined file needs ${parts.length} parts; S3 allows ${maxParts}`,
    );
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && partBytes(p) < minPart)
      throw new CutlineError('RENDER_FAILED', `multipart plan: part ${i + 1} is under the minimum part size`);
  });
  let uploadedBytes = 0;
  let fetchedBytes = 0;
  let copiedBytes = 0;
  for (const p of parts) {
    if ('copy' in p) copiedBytes += p.copy.end - p.copy.start;
    else
      for (const x of p.upload) {
        const n = 'bytes' in x ? x.bytes.length : x.range.end - x.range.start;
        uploadedBytes += n;
        if ('range' in x) fetchedBytes += n;
      }
  }
  return { parts, uploadedBytes, fetchedBytes, copiedBytes };
}
