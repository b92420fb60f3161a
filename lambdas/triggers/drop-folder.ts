import { createHash } from 'node:crypto';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { writeDropError } from '../core/aws/drop-errors.js';
import { keyProblem } from '../core/aws/object-key.js';
import { setting } from '../core/config.js';
import { dropOwner, type DropOwner } from '../core/drop/owner.js';
import { CutlineError } from '../core/errors.js';
import { logger, observed } from '../core/observability.js';
import { assertJsonDepth } from '../core/json-depth.js';
import { assertSafeNumbers } from '../core/json-numbers.js';
import { manifestJob } from '../core/kinds/manifest.js';
import { submitJob } from '../core/submit/submit.js';
import { getPlatform } from '../core/platform.js';
import { PRESETS, presetEdit } from '../core/presets.js';

/** The one owner of all of drop/, when the deployment names one; else drop/<tenant>/ per tenant. */
const configuredOwner = () => setting('DROP_TENANT') || undefined;

const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface DropSummary {
  submitted: Array<{ key: string; jobId: string; created: boolean }>;
  failed: Array<{ key: string; code: string }>;
}

const refuse = (code: 'VALIDATION_FAILED' | 'NOT_SUPPORTED', path: string, message: string, short: string) =>
  new CutlineError(code, message, [{ path, message: short }]);

/** S3 event keys are URL-encoded with `+` for spaces. */
export function decodeKey(raw: string): string {
  const plus = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/**
 * The idempotency key of one dropped object version: the same object delivered twice (S3 notifications
 * are at-least-once) renders once. 5 + 64 characters, inside the API's 128-character [\w.:-] rule.
 */
export const dropIdempotencyKey = (bucket: string, key: string, tag: string): string =>
  `drop-${createHash('sha256').update(`${bucket}/${key}/${tag}`).digest('hex')}`;

async function readManifest(bucket: string, key: string): Promise<Record<string, unknown>> {
  const text = await getPlatform().objects.getTextWithin(bucket, key, MAX_MANIFEST_BYTES);
  if (text === undefined) {
    throw refuse(
      'VALIDATION_FAILED',
      '',
      `the manifest is larger than ${MAX_MANIFEST_BYTES} bytes; upload large media under drop/<preset>/ or inputs/ and refer to it`,
      'too large',
    );
  }
  // A VALIDATION_FAILED like any refusal, so the .error.json is written beside it.
  assertJsonDepth(text, 'the manifest');
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw refuse(
      'VALIDATION_FAILED',
      '',
      `the manifest is not valid JSON: ${(err as Error).message}`,
      'not valid JSON',
    );
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw refuse(
      'VALIDATION_FAILED',
      '',
      'a manifest is a JSON object: an edit (with timeline and output) or {"type": "render", "edit": {…}}',
      'not a JSON object',
    );
  }
  assertSafeNumbers(manifest);
  return manifest as Record<string, unknown>;
}

/** A media file at <folder><preset>/<file>: copied under the tenant's inputs/ (sources must live there). */
async function mediaEdit(bucket: string, key: string, tag: string, owner: DropOwner): Promise<unknown> {
  const { tenantId } = owner;
  const [preset, ...rest] = owner.rest.split('/');
  const p = getPlatform();
  if (!preset || !rest.length) {
    throw refuse(
      'VALIDATION_FAILED',
      'key',
      `media files go in a preset's folder, ${owner.folder}<preset>/<file>; available presets: ${Object.keys(PRESETS).join(', ')}`,
      'no preset folder',
    );
  }
  const input = `inputs/${tenantId}/drop/${tag.replace(/[^\w.-]/g, '') || 'untagged'}/${rest.join('/')}`;
  // The dropped name becomes part of an inputs/ key: nothing in it may step out of the tenant's prefix.
  const problem = keyProblem(input);
  if (problem)
    throw refuse('VALIDATION_FAILED', 'key', `the dropped file's key is refused: ${problem}`, problem);
  // Pure and throws on an unknown preset, so a refused file is never copied.
  const edit = presetEdit(preset, `s3://${p.ingestBucket}/${input}`);
  await p.objects.copy(`${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`, p.ingestBucket, input);
  return edit;
}

/** Whether the record is a new object under drop/ that this trigger should act on. */
function wanted(record: S3EventRecord, key: string, ingestBucket: string): boolean {
  if (record.eventName && !record.eventName.startsWith('ObjectCreated')) return false;
  if (record.s3.bucket.name !== ingestBucket) return false;
  const name = key.slice(key.lastIndexOf('/') + 1);
  return key.startsWith('drop/') && name !== '' && !name.toLowerCase().endsWith('.error.json');
}

/**
 * S3 → drop folder: each new object under drop/ becomes one job through submitJob, the same path
 * as the API. A refused input (bad manifest, unknown preset, refused source, a pipeline that could not
 * start) gets `<name>.error.json` beside it and counts as handled; anything else throws so Lambda retries.
 */
async function handle(event: S3Event): Promise<DropSummary> {
  const summary: DropSummary = { submitted: [], failed: [] };
  const p = getPlatform();
  for (const record of event.Records ?? []) {
    const bucket = record.s3.bucket.name;
    const key = decodeKey(record.s3.object.key);
    if (!wanted(record, key, p.ingestBucket)) continue;
    const tag = (record.s3.object.eTag || record.s3.object.sequencer || '').replace(/"/g, '');
    const idempotencyKey = dropIdempotencyKey(bucket, key, tag);
    try {
      const owner = dropOwner(key, configuredOwner());
      const { tenantId } = owner;
      const { type, body } = key.toLowerCase().endsWith('.json')
        ? manifestJob(await readManifest(bucket, key), { tenantId })
        : { type: 'render' as const, body: await mediaEdit(bucket, key, tag, owner) };
      const { job, created } = await submitJob({
        tenantId,
        type,
        body,
        idempotencyKey,
        origin: { bucket, key },
        // Lists name a dropped job by the file that started it.
        title: key.slice(key.lastIndexOf('/') + 1),
      });
      logger.info(created ? 'drop submitted' : 'drop already submitted', { key, jobId: job.id });
      summary.submitted.push({ key, jobId: job.id, created });
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') {
        // Deleted before it was handled: nothing to render and nowhere useful to write an error.
        logger.warn('drop vanished before it was handled', { key });
        summary.failed.push({ key, code: 'SOURCE_NOT_FOUND' });
        continue;
      }
      // PIPELINE_UNAVAILABLE too: the job is already FAILED, and a retry would only replay it.
      if (!(err instanceof CutlineError)) throw err;
      logger.warn('drop refused', { key, error: err.toJSON() });
      await writeDropError({ bucket, key }, err.toJSON());
      summary.failed.push({ key, code: err.code });
    }
  }
  return summary;
}

export const handler = observed(handle);
