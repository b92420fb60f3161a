import { createHash } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { clients } from '../core/aws/clients.js';
import { writeDropError } from '../core/aws/drop-errors.js';
import { CutlineError } from '../core/errors.js';
import { submitRender } from '../core/jobs/submit.js';
import { getPlatform } from '../core/platform.js';
import { presetEdit } from '../core/presets.js';

const logger = new Logger({ serviceName: 'cutline-drop-folder' });

/** The tenant drop-folder jobs belong to (one per deployment for now). */
const dropTenant = () => process.env.CUTLINE_DROP_TENANT ?? 'drop';

/** What a dropped object asks for: a manifest (an edit, or `{type, edit}`) or a media file for a preset. */
async function requestFor(
  bucket: string,
  key: string,
  eTag: string,
): Promise<{ tenantId: string; edit: unknown }> {
  const tenantId = dropTenant();
  if (key.endsWith('.json')) {
    const res = await clients().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(await res.Body!.transformToString()) as Record<string, unknown>;
    } catch (err) {
      throw new CutlineError(
        'VALIDATION_FAILED',
        `the manifest is not valid JSON: ${(err as Error).message}`,
        [{ path: '', message: 'not valid JSON' }],
      );
    }
    if (manifest.tenant !== undefined && manifest.tenant !== tenantId) {
      throw new CutlineError(
        'VALIDATION_FAILED',
        `drop-folder jobs belong to tenant "${tenantId}"; "${String(manifest.tenant)}" is not allowed here`,
        [{ path: 'tenant', message: 'not allowed' }],
      );
    }
    if ('timeline' in manifest) return { tenantId, edit: manifest };
    const type = manifest.type ?? 'render';
    if (type !== 'render') {
      throw new CutlineError(
        'NOT_SUPPORTED',
        `job type "${String(type)}" is not available yet; drop a "render" manifest or a bare edit`,
        [{ path: 'type', message: 'not available yet' }],
      );
    }
    return { tenantId, edit: manifest.edit };
  }
  const [, preset, ...rest] = key.split('/');
  if (!preset || !rest.length) {
    throw new CutlineError('VALIDATION_FAILED', 'drop media files under drop/<preset>/<file>', [
      { path: 'key', message: 'no preset folder' },
    ]);
  }
  // Sources must live under the tenant's inputs/: copy the file there once (keyed by its content tag).
  const p = getPlatform();
  const input = `inputs/${tenantId}/drop/${eTag.replace(/"/g, '')}/${rest.join('/')}`;
  await clients().s3.send(
    new CopyObjectCommand({
      Bucket: p.ingestBucket,
      Key: input,
      CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
    }),
  );
  return { tenantId, edit: presetEdit(preset, `s3://${p.ingestBucket}/${input}`) };
}

/** S3 → drop folder: each new object under drop/ becomes one job; the same object twice renders once. */
export async function handler(event: S3Event) {
  const submitted: Array<{ key: string; jobId: string; created: boolean }> = [];
  const failed: Array<{ key: string; code: string }> = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!key.startsWith('drop/') || key.endsWith('.error.json') || key.endsWith('/')) continue;
    const eTag = record.s3.object.eTag ?? '';
    const idempotencyKey = `drop-${createHash('sha256').update(`${bucket}/${key}/${eTag}`).digest('hex').slice(0, 40)}`;
    try {
      const req = await requestFor(bucket, key, eTag);
      const { job, created } = await submitRender({ ...req, idempotencyKey, origin: { bucket, key } });
      submitted.push({ key, jobId: job.id, created });
    } catch (err) {
      if (!(err instanceof CutlineError) || err.code === 'PIPELINE_UNAVAILABLE') throw err;
      logger.warn('drop refused', { key, error: err.toJSON() });
      await writeDropError({ bucket, key }, err.toJSON());
      failed.push({ key, code: err.code });
    }
  }
  return { submitted, failed };
}
