import { S3SourceResolver } from '../aws/s3-sources.js';
import { ENV } from '../config.js';
import { getPlatform } from '../platform.js';
import type { JobType } from './kinds.js';
import { jobKind } from './registry.js';

/**
 * Checks a job request exactly as submission would, without writing or starting anything: the kind's
 * schema (errors with JSON paths) and the sources the tenant may read. Throws the same CutlineErrors as
 * `submitJob`, so a client validating first sees the very messages a submit would give.
 *
 * `submitJob` (jobs/submit.ts) does these two steps inline; it could call this function instead so the
 * two can never drift apart.
 */
export function validateJob(req: { tenantId: string; type: JobType | string; body: unknown }): {
  type: JobType;
  sources: number;
} {
  const kind = jobKind(req.type);
  const request = kind.parse(req.body);
  const p = getPlatform();
  const resolver = new S3SourceResolver(p.objects, {
    tenantId: req.tenantId,
    ingestBucket: p.ingestBucket,
    buckets: [p.ingestBucket, p.outputsBucket],
    mediaRoot: process.env[ENV.MEDIA_ROOT],
    dir: '/tmp',
  });
  const refs = kind.sources(request);
  for (const ref of refs) resolver.locate(ref.src, ref.at);
  return { type: kind.type, sources: refs.length };
}
