import { parseEdit } from '../intake/parse-edit.js';
import { CutlineError } from '../errors.js';
import { probeFile, type ProbeResult } from '../media/probe.js';
import type { SourceResolver } from '../media/sources.js';
import type { ExpandContext, JobKind, Rendition } from '../jobs/types.js';

/** More outputs than this in one job is almost certainly a mistake, and would not fit one execution. */
export const MAX_RENDITIONS = 200;

/** An ExpandContext over any SourceResolver (S3 in the pipeline, local files in the CLI); caches per src. */
export function expansionContext(opts: {
  tenantId: string;
  jobId: string;
  resolver: SourceResolver;
  scratchDir: string;
  prepared?: ReadonlyMap<string, unknown>;
}): ExpandContext {
  const paths = new Map<string, Promise<string>>();
  const probes = new Map<string, Promise<ProbeResult>>();
  const localPath = (src: string, at: string) => {
    let p = paths.get(src);
    if (!p) paths.set(src, (p = opts.resolver.resolve(src, at)));
    return p;
  };
  const media = new Map<string, Promise<string>>();
  const mediaPath = (src: string, at: string) => {
    const r = opts.resolver;
    if (!r.media) return localPath(src, at);
    let p = media.get(src);
    if (!p) media.set(src, (p = r.media(src, at)));
    return p;
  };
  return {
    tenantId: opts.tenantId,
    jobId: opts.jobId,
    scratchDir: opts.scratchDir,
    prepared: opts.prepared ?? new Map(),
    localPath,
    mediaPath,
    probe: (src, at) => {
      let p = probes.get(src);
      if (!p) probes.set(src, (p = mediaPath(src, at).then((path) => probeFile(path, at))));
      return p;
    },
  };
}

/**
 * A job's renditions, checked before anything renders: at least one, at most MAX_RENDITIONS, unique
 * file-safe names, and every edit valid against the same schema and limits as an API edit (a kind that
 * builds an invalid edit fails the job with the rendition named, not a confusing ffmpeg error).
 */
export async function expandJob<R>(kind: JobKind<R>, request: R, ctx: ExpandContext): Promise<Rendition[]> {
  const renditions = await kind.expand(request, ctx);
  if (!renditions.length)
    throw new CutlineError('VALIDATION_FAILED', `the ${kind.type} job produced no outputs to render`);
  if (renditions.length > MAX_RENDITIONS)
    throw new CutlineError(
      'LIMIT_EXCEEDED',
      `the ${kind.type} job asks for ${renditions.length} outputs; at most ${MAX_RENDITIONS} fit one job (maxRenditions): split it`,
    );
  const seen = new Set<string>();
  return renditions.map((r, i) => {
    if (!/^[\w.-]{1,100}$/.test(r.name) || seen.has(r.name))
      throw new CutlineError('RENDER_FAILED', `rendition ${i} has an invalid or repeated name "${r.name}"`);
    seen.add(r.name);
    try {
      return { ...r, edit: parseEdit(r.edit) };
    } catch (err) {
      if (err instanceof CutlineError)
        throw new CutlineError(err.code, `output "${r.name}": ${err.message}`, err.details);
      throw err;
    }
  });
}
