import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expansionContext, expandJob } from '../lambdas/core/kinds/expand.js';
import type { JobType, Rendition } from '../lambdas/core/jobs/types.js';
import { jobKind } from '../lambdas/core/kinds/registry.js';
import type { SourceResolver } from '../lambdas/core/media/sources.js';
import { renderOnThisMachine } from '../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import type { RenderedFile } from '../lambdas/core/packaging/types.js';

export interface StandaloneJobOptions {
  resolver: SourceResolver;
  /** Every rendition's files, and manifest.json, are written here. */
  outDir: string;
  scratchDir: string;
  concurrency?: number;
  threadsPerWorker?: number;
  onProgress?: (fraction: number) => void;
  onRendition?: (r: Rendition, index: number, total: number) => void;
}

/**
 * A job of any type on this machine without the platform (no API, table, buckets or state machine): the
 * CLI's `cutline render --type`. It runs the pipeline's steps in order: prepare items, expansion into
 * renditions, then each rendition rendered (chunked across local workers) one after another.
 */
export async function renderJobStandalone(
  type: JobType,
  body: unknown,
  opts: StandaloneJobOptions,
): Promise<{
  renditions: Rendition[];
  files: Array<RenderedFile & { rendition: string }>;
  manifest: string;
}> {
  const kind = jobKind(type);
  const request = kind.parse(body);
  await mkdir(opts.outDir, { recursive: true });
  const base = { tenantId: 'local', jobId: 'local', resolver: opts.resolver, scratchDir: opts.scratchDir };
  const prepared = new Map<string, unknown>();
  for (const item of kind.prepareItems?.(request) ?? [])
    prepared.set(item.id, await kind.prepareItem!(request, item, expansionContext(base)));
  const renditions = await expandJob(kind, request, expansionContext({ ...base, prepared }));
  const files: Array<RenderedFile & { rendition: string }> = [];
  for (const [i, r] of renditions.entries()) {
    opts.onRendition?.(r, i, renditions.length);
    const input = await prepareRender(r.edit, { resolver: opts.resolver });
    const out = await renderOnThisMachine(input, {
      output: join(opts.outDir, `${r.name}.${input.spec.format}`),
      concurrency: opts.concurrency,
      threadsPerWorker: opts.threadsPerWorker,
      onProgress: (f) => opts.onProgress?.((i + f) / renditions.length),
    });
    files.push(...out.files.map((f) => ({ ...f, rendition: r.name })));
  }
  const manifest = join(opts.outDir, 'manifest.json');
  await writeFile(
    manifest,
    JSON.stringify(
      {
        type,
        outputs: renditions.map((r) => ({
          name: r.name,
          ...(r.meta ? { meta: r.meta } : {}),
          files: files
            .filter((f) => f.rendition === r.name)
            .map(({ path, kind: k, bytes, durationSeconds, width, height }) => ({
              kind: k,
              path,
              bytes,
              durationSeconds,
              width,
              height,
            })),
        })),
      },
      null,
      2,
    ),
  );
  return { renditions, files, manifest };
}
