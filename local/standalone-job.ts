import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expansionContext, expandJob } from '../lambdas/core/kinds/expand.js';
import type { ExpandContext, JobKind, JobType, Rendition } from '../lambdas/core/jobs/types.js';
import { CutlineError } from '../lambdas/core/errors.js';
import type { SourceResolver } from '../lambdas/core/media/sources.js';
import { hasSpeech } from '../lambdas/core/providers/speech-assets.js';
import { renderOnThisMachine } from '../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import type { RenderedFile } from '../lambdas/core/packaging/types.js';
import { localSpeech } from './speech.js';
import { standaloneKind } from './standalone-kinds.js';

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

const pending = (r: unknown): r is { wait: { seconds: number; state: Record<string, string | number> } } =>
  !!r && typeof r === 'object' && 'wait' in r;

/**
 * A kind's prepare items, one after another. Work a provider is still running (a generation job) is
 * waited on and polled here, as the state machine's Wait/Choice loop does; a kind that cannot poll it is
 * refused naming what runs it.
 */
export async function prepareItems<R>(
  kind: JobKind<R>,
  request: R,
  ctx: Omit<ExpandContext, 'prepared'>,
): Promise<Map<string, unknown>> {
  const prepared = new Map<string, unknown>();
  for (const item of kind.prepareItems?.(request) ?? []) {
    let result = await kind.prepareItem!(request, item, ctx);
    while (pending(result)) {
      if (!kind.pollItem)
        throw new CutlineError(
          'NOT_SUPPORTED',
          `${kind.type} job: "${item.id}" runs in a provider the pipeline waits on; cutline render cannot: run \`cutline start\` and submit the job to the API`,
        );
      await sleep(result.wait.seconds * 1000);
      result = await kind.pollItem(request, item, result.wait.state, ctx);
    }
    prepared.set(item.id, result);
  }
  return prepared;
}

/**
 * A job of any type on this machine without the platform (no API, table, buckets or state machine): the
 * CLI's `cutline render <job.json>`. It runs the pipeline's steps in order: prepare items, expansion into
 * renditions, then each rendition (its speech made first) rendered, chunked across local workers, one after
 * another. Generated speech and transcripts stay in the scratch folder (local/standalone-kinds.ts).
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
  const speech = localSpeech({
    resolver: opts.resolver,
    scratchDir: opts.scratchDir,
    outputStem: join(opts.outDir, 'output'),
  });
  const kind = standaloneKind(type, speech, opts.outDir);
  const request = kind.parse(body);
  await mkdir(opts.outDir, { recursive: true });
  const { resolver } = speech;
  const base = { tenantId: 'local', jobId: 'local', resolver, scratchDir: opts.scratchDir };
  const prepared = await prepareItems(kind, request, expansionContext(base));
  const renditions = await expandJob(kind, request, expansionContext({ ...base, prepared }));
  const files: Array<RenderedFile & { rendition: string }> = [];
  for (const [i, r] of renditions.entries()) {
    opts.onRendition?.(r, i, renditions.length);
    const edit = hasSpeech(r.edit) ? await speech.resolve(r.edit) : r.edit;
    const input = await prepareRender(edit, { resolver });
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
