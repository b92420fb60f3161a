import { join } from 'node:path';
import { prepareRender } from '../../lambdas/core/engine/prepare.js';
import { renderPrepared } from '../../lambdas/core/engine/render.js';
import type { ExpandContext, Rendition } from '../../lambdas/core/jobs/types.js';
import { probeFile } from '../../lambdas/core/media/probe.js';
import { LocalSourceResolver } from '../../lambdas/core/media/sources.js';

/** A real expansion context over a folder of media (relative `src`s), as the pipeline's Probe gives one. */
export function localJob(dir: string) {
  const resolver = new LocalSourceResolver({
    mediaRoot: dir,
    baseDir: dir,
    maxSourceBytes: 100 * 1024 * 1024,
  });
  const ctx: ExpandContext = {
    tenantId: 'test',
    jobId: 'job',
    localPath: (src, at) => resolver.resolve(src, at),
    probe: async (src, at) => probeFile(await resolver.resolve(src, at), at),
    scratchDir: dir,
    prepared: new Map(),
  };
  /** Renders one rendition with the engine, into `dir/<name>.<ext>`. */
  const render = async (r: Rendition, ext = 'mp4') => {
    const input = await prepareRender(r.edit, { resolver });
    const output = join(dir, `${r.name}.${ext}`);
    const { files } = await renderPrepared(input, { output });
    return { input, output, files };
  };
  return { ctx, resolver, render };
}
