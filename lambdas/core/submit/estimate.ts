import { tenantSources, type S3SourceResolver } from '../objects/tenant-sources.js';
import { ENV } from '../config.js';
import type { ExpandContext } from '../jobs/types.js';
import type { Job } from '../jobs/model.js';
import { jobKind } from '../kinds/registry.js';
import type { ProbeResult } from '../media/probe.js';
import { probeHeaders } from '../media/probe-headers.js';
import { releaseScope } from '../net/range-proxy.js';
import { sanitizeMessage } from '../sanitize.js';
import {
  combineEstimates,
  durationsNeeded,
  estimateEdit,
  notEstimable,
  type JobEstimate,
  type KnownDuration,
  type RenditionEstimate,
  type Unknown,
} from '../plan/estimate.js';
import type { PlanLimits } from '../plan/planner.js';

/** Thrown by the estimate's ExpandContext where a kind would need a whole file (analysis): not cheap. */
class NeedsWholeFile extends Error {}

/**
 * Where ffprobe can read a tenant's src without downloading it: the loopback range proxy (the layer's
 * static ffprobe cannot resolve the S3 endpoint's name, so a presigned URL would never open in Lambda),
 * or the local file.
 */
async function probeTarget(resolver: S3SourceResolver, src: string, at: string): Promise<string> {
  const where = resolver.locate(src, at);
  // https sources are only ever read through the SSRF-safe fetcher, never by ffprobe directly.
  if (where.kind === 'https') throw new NeedsWholeFile(`${at}: an https source is probed once it is fetched`);
  return resolver.media(src, at);
}

export function planLimits(): Partial<PlanLimits> {
  return JSON.parse(process.env[ENV.PLAN_LIMITS] ?? '{}') as Partial<PlanLimits>;
}

/**
 * The submit-time estimate of any job kind: expand the request into renditions with a context that
 * answers `probe` from headers and refuses `localPath` (a kind that must read whole files, or prepare
 * media first, is not estimable cheaply: the answer says so, and the Plan step's estimate follows).
 */
export async function estimateJob(
  job: Pick<Job, 'id' | 'tenantId' | 'type' | 'request'>,
): Promise<JobEstimate> {
  const kind = jobKind(job.type);
  if (kind.prepareItems?.(job.request)?.length)
    return notEstimable(
      '',
      `a ${job.type} job prepares its media before it can be planned; see estimatedSeconds once it is planning`,
    );
  const resolver = tenantSources(job.tenantId);
  try {
    return await estimateWith(resolver, kind, job);
  } finally {
    await releaseScope(resolver.scope);
  }
}

async function estimateWith(
  resolver: S3SourceResolver,
  kind: ReturnType<typeof jobKind>,
  job: Pick<Job, 'id' | 'tenantId' | 'type' | 'request'>,
): Promise<JobEstimate> {
  const probes = new Map<string, Promise<ProbeResult>>();
  const probe = (src: string, at: string) => {
    let r = probes.get(src);
    if (!r) {
      r = probeTarget(resolver, src, at).then((t) => probeHeaders(t, at));
      probes.set(src, r);
    }
    return r;
  };
  const ctx: ExpandContext = {
    tenantId: job.tenantId,
    jobId: job.id,
    localPath: () => Promise.reject(new NeedsWholeFile()),
    mediaPath: () => Promise.reject(new NeedsWholeFile()),
    probe,
    scratchDir: '/tmp',
    prepared: new Map(),
  };
  let renditions;
  try {
    renditions = await kind.expand(job.request, ctx);
  } catch (err) {
    if (err instanceof NeedsWholeFile)
      return notEstimable(
        '',
        `a ${job.type} job analyses its sources before it can be planned; see estimatedSeconds once it is planning`,
      );
    throw err;
  }
  const limits = planLimits();
  const done: RenditionEstimate[] = [];
  const unknown: Unknown[] = [];
  for (const r of renditions) {
    const durations = new Map<string, KnownDuration>();
    await Promise.all(
      durationsNeeded(r.edit).map(async (need) => {
        if (need.kind === 'captions') {
          durations.set(need.src, {
            unknown: 'a caption file’s length is known once it is read by the pipeline',
          });
          return;
        }
        try {
          const pr = await probe(need.src, need.at);
          durations.set(
            need.src,
            pr.durationSeconds === null
              ? { unknown: 'the source has no duration' }
              : { seconds: pr.durationSeconds },
          );
        } catch (err) {
          // A source that is not media at all (a playlist, a list of other files) is the client's mistake.
          if ((err as { code?: string }).code === 'SOURCE_REFUSED') throw err;
          durations.set(need.src, { unknown: sanitizeMessage((err as Error).message) });
        }
      }),
    );
    const e = estimateEdit(r.name, r.edit, durations, limits);
    if (Array.isArray(e))
      unknown.push(...e.map((u) => (renditions.length > 1 ? { ...u, path: `${r.name}: ${u.path}` } : u)));
    else done.push(e);
  }
  return combineEstimates(done, unknown);
}
