import type { CompileInput } from '../core/render/compile.js';
import { prepareRender } from '../core/engine/prepare.js';
import { CutlineError } from '../core/errors.js';
import type { Job } from '../core/jobs/model.js';
import type { ProbeResult } from '../core/media/probe.js';
import { tenantSources } from '../core/objects/tenant-sources.js';
import { proxyScope } from './scratch.js';
import { loadRenditions } from './work-files.js';

export const sourceResolver = (job: Job, dir: string) => tenantSources(job.tenantId, dir, proxyScope(dir));

/** Downloads one rendition's sources into `dir` and builds the compiler input, reusing the Probe step's results. */
export async function prepareJob(
  job: Job,
  dir: string,
  probes?: ReadonlyMap<string, ProbeResult>,
  rendition = 0,
): Promise<CompileInput> {
  const r = (await loadRenditions(job.id))[rendition];
  if (!r) throw new CutlineError('RENDER_FAILED', `job ${job.id} has no rendition ${rendition}`);
  return prepareRender(r.edit, { resolver: sourceResolver(job, dir), probes });
}
