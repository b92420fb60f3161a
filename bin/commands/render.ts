import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEdit } from '../../lambdas/core/intake/parse-edit.js';
import type { Edit } from '../../lambdas/core/edit/schema.js';
import { hasSpeech } from '../../lambdas/core/providers/speech-assets.js';
import {
  checkLimitOverrides,
  LimitSettingError,
  limitsEnv,
  parseLimitAssignments,
  resolveLimits,
} from '../../lambdas/core/edit/limits.js';
import { ENV } from '../../lambdas/core/config.js';
import { withoutPlatform } from '../../lambdas/core/platform-off.js';
import { CutlineError } from '../../lambdas/core/errors.js';
import { assertJsonDepth } from '../../lambdas/core/json-depth.js';
import { LocalSourceResolver, type SourceResolver } from '../../lambdas/core/media/sources.js';
import { prepareRender } from '../../lambdas/core/engine/prepare.js';
import type { ProbeCache } from '../../lambdas/core/media/probe.js';
import { fileProbeCache } from '../../local/probe-cache.js';
import { readCostScale } from '../../local/cost-calibration.js';
import { extraImageArgs } from '../../lambdas/core/engine/render.js';
import { renderOnThisMachine } from '../../lambdas/core/engine/machine-render.js';
import { expandPresets } from '../../lambdas/core/packaging/social.js';
import type { JobType } from '../../lambdas/core/jobs/types.js';
import { compileRender } from '../../lambdas/core/render/compile.js';
import { progressBar, type ProgressDetail } from '../progress.js';

/** A bar fed by renderOnThisMachine: its fraction, with the frame counts ffmpeg reports (the job's own source). */
function framedBar(bar: (f: number, d?: ProgressDetail) => void) {
  let frames: ProgressDetail['frames'];
  return {
    onFrames: (done: number, total: number) => void (frames = { done, total }),
    onProgress: (f: number) => bar(f, { frames }),
  };
}

/** Quotes an argument for a POSIX shell, so --dry-run output can be pasted as it is. */
export const shellQuote = (a: string): string =>
  /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;

export async function readEditFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CutlineError('VALIDATION_FAILED', `cannot read ${path}: ${(err as Error).message}`);
  }
  assertJsonDepth(text, path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CutlineError('VALIDATION_FAILED', `${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** `KEY=VALUE` pairs from --merge, added after the edit's own merge fields (so they win). */
export function withMerges(raw: unknown, pairs: readonly string[]): unknown {
  if (!pairs.length) return raw;
  const fields = pairs.map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new CutlineError('VALIDATION_FAILED', `--merge expects KEY=VALUE, got "${p}"`);
    return { find: p.slice(0, i), replace: p.slice(i + 1) };
  });
  const edit = raw as { merge?: Array<{ find: string }> };
  const keep = (edit.merge ?? []).filter((m) => !fields.some((f) => f.find === m.find));
  return { ...(raw as object), merge: [...keep, ...fields] };
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CutlineError(
      'VALIDATION_FAILED',
      `${flag} must be a whole number of 1 or more, got "${value}"`,
    );
  return n;
}

/** A clips, mix or other job file: every rendition into the output folder, with manifest.json. */
async function renderJobFile(
  type: JobType,
  body: unknown,
  opts: { resolver: LocalSourceResolver; output: string; concurrency?: number; threads?: number },
): Promise<number> {
  const started = Date.now();
  const scratchDir = await mkdtemp(join(tmpdir(), 'cutline-job-'));
  try {
    const bar = progressBar('rendering');
    // Loaded here: the job kinds (clips, mixes, projects) are a large part of start-up, and an edit needs none.
    const { renderJobStandalone } = await import('../../local/standalone-job.js');
    const { files, manifest } = await renderJobStandalone(type, body, {
      resolver: opts.resolver,
      outDir: opts.output,
      scratchDir,
      concurrency: opts.concurrency,
      threadsPerWorker: opts.threads,
      onProgress: bar,
      onRendition: (r, i, n) => process.stderr.write(`\n[${i + 1}/${n}] ${r.name}\n`),
    });
    for (const f of files) {
      const dims = f.width ? ` ${f.width}x${f.height}` : '';
      const dur = f.durationSeconds !== undefined ? ` ${f.durationSeconds.toFixed(2)}s` : '';
      process.stdout.write(`${f.rendition} ${f.kind}: ${f.path} (${f.bytes} bytes${dims}${dur})\n`);
    }
    process.stdout.write(`manifest: ${manifest}\n`);
    process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    return 0;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/** A plain edit (what manifestJob returns as it is), told apart without loading every job kind. */
const isBareEdit = (raw: unknown): boolean =>
  !!raw &&
  typeof raw === 'object' &&
  !Array.isArray(raw) &&
  'timeline' in raw &&
  !('type' in raw) &&
  !('edit' in raw) &&
  !('tenant' in raw);

/** Limits already set for this process (CUTLINE_LIMITS), kept under the flags. */
const deploymentLimitOverrides = () =>
  checkLimitOverrides(JSON.parse(process.env[ENV.LIMITS] || '{}'), ENV.LIMITS);

/** `--limit name=value` as a usage error (exit 2), like the other flags. */
function cliLimits(items: string[]) {
  try {
    return parseLimitAssignments(items);
  } catch (err) {
    if (err instanceof LimitSettingError) throw new CutlineError('VALIDATION_FAILED', err.message);
    throw err;
  }
}

export async function renderCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      'media-root': { type: 'string' },
      merge: { type: 'string', multiple: true, default: [] },
      'dry-run': { type: 'boolean', default: false },
      chunks: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      limit: { type: 'string', multiple: true, default: [] },
      'fresh-probes': { type: 'boolean', default: false },
    },
  });
  // No tables or buckets here: a step that still needs them says what to run instead.
  withoutPlatform(
    () =>
      new CutlineError(
        'NOT_SUPPORTED',
        'this job needs the platform (job table, buckets, usage metering), which cutline render does not run: run `cutline start` and submit it to the API',
      ),
  );
  // The same place every handler reads limits from: this run's CUTLINE_LIMITS.
  Object.assign(process.env, limitsEnv({ ...deploymentLimitOverrides(), ...cliLimits(values.limit ?? []) }));
  const [editPath] = positionals;
  if (!editPath || !values.output) {
    process.stderr.write(
      'usage: cutline render <edit.json | job.json> -o <out file | out folder for clips/mix jobs> [--media-root DIR] [--merge KEY=VALUE ...] [--chunks N] [--concurrency C] [--limit NAME=VALUE ...] [--dry-run] [--fresh-probes]\n',
    );
    return 2;
  }
  const editFile = resolve(editPath);
  const output = resolve(values.output);
  const raw = await readEditFile(editFile);
  const job = isBareEdit(raw)
    ? { type: 'render' as const, body: raw }
    : raw && typeof raw === 'object' && !Array.isArray(raw)
      ? (await import('../../lambdas/core/kinds/manifest.js')).manifestJob(raw as Record<string, unknown>)
      : { type: 'render' as const, body: raw };
  const baseDir = dirname(editFile);
  const resolver = new LocalSourceResolver({
    mediaRoot: resolve(values['media-root'] ?? baseDir),
    baseDir,
    maxSourceBytes: resolveLimits().maxSourceBytes,
  });
  const threads = positiveInt(values.threads, '--threads');
  const chunks = positiveInt(values.chunks, '--chunks');
  const concurrency = positiveInt(values.concurrency, '--concurrency');
  if (job.type !== 'render') {
    if (values['dry-run'] || chunks)
      throw new CutlineError(
        'VALIDATION_FAILED',
        `--dry-run and --chunks apply to single edits, not ${job.type} jobs`,
      );
    return renderJobFile(job.type, job.body, { resolver, output, concurrency, threads });
  }
  const scratchDir = await mkdtemp(join(tmpdir(), 'cutline-render-'));
  try {
    return await renderEdit(parseEdit(withMerges(job.body, values.merge ?? [])), {
      resolver,
      output,
      scratchDir,
      dryRun: values['dry-run'] ?? false,
      chunks,
      concurrency,
      threads,
      probeCache: values['fresh-probes'] ? undefined : fileProbeCache(),
    });
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * One edit on this machine: its speech first (text-to-speech spoken, "auto" captions transcribed by the
 * local engines, local/speech.ts), then the render and the social preset's other aspect ratios.
 */
async function renderEdit(
  parsed: Edit,
  o: {
    resolver: LocalSourceResolver;
    output: string;
    scratchDir: string;
    dryRun: boolean;
    chunks?: number;
    concurrency?: number;
    threads?: number;
    probeCache?: ProbeCache;
  },
): Promise<number> {
  const { output, chunks, concurrency, threads, probeCache } = o;
  const stem = output.replace(/\.[^./]+$/, '');
  let edit = parsed;
  let resolver: SourceResolver = o.resolver;
  if (hasSpeech(parsed)) {
    // Loaded only for speech: the providers are a large part of start-up, and most edits need none.
    const { localSpeech } = await import('../../local/speech.js');
    const speech = localSpeech({ resolver, scratchDir: o.scratchDir, outputStem: stem });
    edit = await speech.resolve(parsed);
    resolver = speech.resolver;
  }
  const input = await prepareRender(edit, { resolver, probeCache });

  if (o.dryRun) {
    const compiled = compileRender(input, { output, threads });
    process.stdout.write(`ffmpeg ${compiled.args.map(shellQuote).join(' ')}\n`);
    for (const extra of extraImageArgs(input, output))
      process.stdout.write(`ffmpeg ${extra.args.map(shellQuote).join(' ')}\n`);
    return 0;
  }
  const started = Date.now();
  // The estimate at this machine's measured speed where `cutline calibrate` has run.
  const costScale = await readCostScale();
  const planLimits = costScale !== undefined ? { costScale } : undefined;
  const { plan, files, smart } = await renderOnThisMachine(input, {
    output,
    chunks,
    concurrency,
    threadsPerWorker: threads,
    planLimits,
    ...framedBar(progressBar('rendering')),
  });
  const copied = (smart ?? []).filter((s) => s.kind === 'copy');
  if (copied.length) {
    const frames = copied.reduce((n, s) => n + s.endFrame - s.startFrame, 0);
    const total = plan.window.endFrame - plan.window.startFrame;
    process.stderr.write(
      `smart render: copied ${frames} of ${total} frames from the sources in ${copied.length} spans (CUTLINE_SMART_RENDER=off encodes all)\n`,
    );
  } else if (plan.chunked) {
    process.stderr.write(
      `rendered ${plan.chunks.length} chunks on ${concurrency ?? 'all'} workers and stitched them\n`,
    );
  }
  // The `social` preset's other aspect ratios: beside the output, named <stem>-social-9x16.<ext>.
  for (const r of expandPresets(edit).slice(1)) {
    const extra = await prepareRender(r.edit, { resolver, probeCache });
    const out = await renderOnThisMachine(extra, {
      output: `${stem}-${r.name}.${extra.spec.format}`,
      concurrency,
      threadsPerWorker: threads,
      planLimits,
      ...framedBar(progressBar(r.name)),
    });
    files.push(...out.files);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const f of files) {
    const dims = f.width ? ` ${f.width}x${f.height}` : '';
    const dur = f.durationSeconds !== undefined ? ` ${f.durationSeconds.toFixed(2)}s` : '';
    process.stdout.write(`${f.kind}: ${f.path} (${f.bytes} bytes${dims}${dur})\n`);
  }
  // The plan's estimate of the first output (a smart render copies instead): what the API's
  // estimatedSeconds says of the same render on this machine.
  const estimate = copied.length
    ? ''
    : ` (estimated ${plan.estimatedSeconds.toFixed(1)}s${costScale === undefined ? ' at the reference speed: cutline calibrate measures this machine' : ''})`;
  process.stderr.write(`done in ${seconds}s${estimate}\n`);
  return 0;
}
