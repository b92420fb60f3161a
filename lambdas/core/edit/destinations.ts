import { basename } from 'node:path';
import type { S3Destination } from './schema.js';

/** The parts of `output.destinations` that are pure: where a file lands, which buckets are allowed. */

/** The key a job's output lands under in a destination bucket. Pure. */
export function destinationKey(
  dest: S3Destination['options'],
  jobId: string,
  output: { kind: string; key: string },
): string {
  const name = basename(output.key);
  const stem = dest.filename ?? jobId;
  const ext = /\.[^.]+$/.exec(name)?.[0] ?? '';
  const file =
    output.kind === 'video' || output.kind === 'audio' || output.kind === 'image'
      ? `${stem}${ext}`
      : output.kind === 'poster'
        ? `${stem}-poster.jpg`
        : output.kind === 'thumbnail'
          ? `${stem}-thumb.jpg`
          : // Packaged trees (HLS) keep their layout, so playlists still find their segments.
            `${stem}/${output.key.includes(`/${jobId}/`) ? output.key.slice(output.key.indexOf(`/${jobId}/`) + jobId.length + 2) : name}`;
  const prefix = (dest.prefix ?? '').replace(/\/+$/, '');
  return prefix ? `${prefix}/${file}` : file;
}

/** Buckets this deployment may send to (comma-separated in the environment). */
export const allowedDestinationBuckets = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
