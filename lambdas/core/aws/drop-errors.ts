import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sanitizeError } from '../sanitize.js';
import { clients } from './clients.js';

/** `drop/folder/clip.mp4` → `drop/folder/clip.error.json`: where the person who dropped it looks. */
export const dropErrorKey = (key: string): string => `${key.replace(/\.[^./]+$/, '')}.error.json`;

const clean = (error: unknown) =>
  error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string'
    ? sanitizeError(error as { message: string })
    : error;

/** Writes a drop-folder input's failure beside it (sanitized: core/sanitize). */
export async function writeDropError(
  origin: { bucket: string; key: string },
  error: unknown,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await clients().s3.send(
    new PutObjectCommand({
      Bucket: origin.bucket,
      Key: dropErrorKey(origin.key),
      ContentType: 'application/json',
      Body: JSON.stringify(
        { error: clean(error), input: origin.key, ...extra, at: new Date().toISOString() },
        null,
        2,
      ),
    }),
  );
}
