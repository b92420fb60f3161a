/**
 * The queue section: N concurrent 8 s SD renders submitted at once to `cutline start --workers W` (a
 * child process, as a user runs it), against the same N ffmpeg commands the platform runs for them,
 * run directly with the same parallelism W. Measures: how many SUCCEEDED, wall seconds from the first
 * submit to the last end, the most ffmpeg processes seen at once (sampled from the process table), and
 * /v1/health latency while jobs are queued.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseEdit } from '../lambdas/core/intake/parse-edit.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../lambdas/core/media/sources.js';
import { compileRender } from '../lambdas/core/render/compile.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/cutline.mjs', import.meta.url));

export interface QueueBenchOptions {
  renders: number;
  workers: number;
  seconds: number;
  reps: number;
  log: (line: string) => void;
}

export interface QueueSide {
  wallSeconds: number;
  maxFfmpeg: number;
}

export interface QueueRun {
  baseline: QueueSide;
  cutline: QueueSide & {
    succeeded: number;
    statuses: Record<string, number>;
    healthSamples: number;
    healthP50Ms: number;
    healthP95Ms: number;
    healthMaxMs: number;
    maxQueuedSeen: number;
  };
  ratio: number;
}

export interface QueueResults {
  renders: number;
  workers: number;
  seconds: number;
  cores: number;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  runs: QueueRun[];
  command: string;
}

const quantile = (xs: number[], q: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * q) - 1)]! : NaN;

/** ffmpeg processes whose parent is `parent` (the platform's, or this process's for the baseline). */
async function ffmpegChildren(parent: number): Promise<number> {
  const { stdout } = await run('ps', ['-e', '-o', 'ppid=,comm=']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([ppid, comm]) => Number(ppid) === parent && comm === 'ffmpeg').length;
}

function sampler(parent: number) {
  let max = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      max = Math.max(max, await ffmpegChildren(parent));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return max;
    },
  };
}

const edit = (src: string, seconds: number, i: number) => ({
  timeline: {
    tracks: [
      {
        clips: [
          { asset: { type: 'title', text: `render ${i + 1}`, size: 'small' }, start: 0, length: seconds },
        ],
      },
      { clips: [{ asset: { type: 'video', src }, start: 0, length: seconds }] },
    ],
  },
  output: { format: 'mp4', resolution: 'sd' },
});

async function makeSource(dir: string, seconds: number): Promise<string> {
  const path = join(dir, 'source.mp4');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=s=640x360:r=25:d=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
  ]);
  return path;
}

/** The same renders as plain ffmpeg commands: the platform's compiled args, W at a time. */
async function baseline(opts: QueueBenchOptions, dir: string, src: string): Promise<QueueSide> {
  const resolver = new LocalSourceResolver({ mediaRoot: dir, baseDir: dir, maxSourceBytes: 1e10 });
  const commands = await Promise.all(
    Array.from({ length: opts.renders }, async (_, i) => {
      const input = await prepareRender(parseEdit(edit(`file://${src}`, opts.seconds, i)), { resolver });
      return compileRender(input, { output: join(dir, 'baseline', `out-${i}.mp4`) }).args;
    }),
  );
  await mkdir(join(dir, 'baseline'), { recursive: true });
  const sample = sampler(process.pid);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      while (next < commands.length) {
        const args = commands[next++]!;
        await run('ffmpeg', ['-v', 'error', ...args], { maxBuffer: 16 * 1024 * 1024 });
      }
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  return { wallSeconds, maxFfmpeg: await sample.stop() };
}

async function startPlatform(opts: QueueBenchOptions, dir: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--port',
      '0',
      '--workers',
      String(opts.workers),
      '--data-dir',
      join(dir, 'data'),
      '--media-root',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`cutline start did not come up: ${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`cutline start exited ${code}: ${out}`)));
  });
  const key = /API key:\s+(\S+)/.exec(out)![1]!;
  return { child, url, key };
}

async function throughCutline(
  opts: QueueBenchOptions,
  dir: string,
  src: string,
): Promise<QueueRun['cutline']> {
  const { child, url, key } = await startPlatform(opts, dir);
  const headers = { 'x-api-key': key, 'content-type': 'application/json' };
  const get = async (path: string) =>
    (await fetch(`${url}${path}`, { headers })).json() as Promise<Record<string, unknown>>;
  try {
    await fetch(`${url}/v1/health`); // its one-off ffmpeg capability check, before the clock starts
    const sample = sampler(child.pid!);
    const started = performance.now();
    const ids = await Promise.all(
      Array.from({ length: opts.renders }, async (_, i) => {
        const res = await fetch(`${url}/v1/renders`, {
          method: 'POST',
          headers,
          body: JSON.stringify(edit(`file://${src}`, opts.seconds, i)),
        });
        if (res.status !== 202) throw new Error(`submit ${i} answered ${res.status}: ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const health: number[] = [];
    let maxQueued = 0;
    const statuses = new Map<string, string>();
    for (;;) {
      for (const id of ids)
        if (!['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(statuses.get(id) ?? ''))
          statuses.set(id, (await get(`/v1/renders/${id}`)).status as string);
      const queued = [...statuses.values()].filter((s) => s === 'QUEUED').length;
      maxQueued = Math.max(maxQueued, queued);
      if (queued > 0) {
        const t = performance.now();
        await fetch(`${url}/v1/health`).then((r) => r.arrayBuffer());
        health.push(performance.now() - t);
      }
      if ([...statuses.values()].every((s) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const counts: Record<string, number> = {};
    for (const s of statuses.values()) counts[s] = (counts[s] ?? 0) + 1;
    return {
      wallSeconds,
      maxFfmpeg: await sample.stop(),
      succeeded: counts.SUCCEEDED ?? 0,
      statuses: counts,
      healthSamples: health.length,
      healthP50Ms: quantile(health, 0.5),
      healthP95Ms: quantile(health, 0.95),
      healthMaxMs: health.length ? Math.max(...health) : NaN,
      maxQueuedSeen: maxQueued,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function queueBench(opts: QueueBenchOptions): Promise<QueueResults> {
  const loadAverageStart = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'cutline-bench-queue-'));
  try {
    const src = await makeSource(dir, opts.seconds);
    const runs: QueueRun[] = [];
    for (let rep = 0; rep < opts.reps; rep++) {
      // Alternating, so the machine's other load falls on both sides alike.
      opts.log(
        `queue ${rep + 1}/${opts.reps}: ${opts.renders} renders as plain ffmpeg, ${opts.workers} at a time`,
      );
      const b = await baseline(opts, dir, src);
      opts.log(`queue ${rep + 1}/${opts.reps}: the same through cutline start --workers ${opts.workers}`);
      await rm(join(dir, 'data'), { recursive: true, force: true });
      const c = await throughCutline(opts, dir, src);
      runs.push({ baseline: b, cutline: c, ratio: c.wallSeconds / b.wallSeconds });
    }
    return {
      renders: opts.renders,
      workers: opts.workers,
      seconds: opts.seconds,
      cores: availableParallelism(),
      loadAverageStart,
      loadAverageEnd: loadavg(),
      runs,
      command: `cutline start --workers ${opts.workers}; ${opts.renders} × POST /v1/renders at once (${opts.seconds} s SD mp4: a video clip under a title)`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');

export function queueMarkdown(r: QueueResults): string {
  const rows = r.runs.map(
    (x, i) =>
      `| ${i + 1} | ${x.cutline.succeeded}/${r.renders} (${Object.entries(x.cutline.statuses)
        .map(([k, v]) => `${v} ${k}`)
        .join(
          ', ',
        )}) | ${f(x.cutline.wallSeconds)} s | ${f(x.baseline.wallSeconds)} s | ${f(x.ratio, 2)}× | ${x.cutline.maxFfmpeg} (baseline ${x.baseline.maxFfmpeg}) | ${x.cutline.maxQueuedSeen} | ${f(x.cutline.healthP50Ms)} / ${f(x.cutline.healthP95Ms)} / ${f(x.cutline.healthMaxMs)} ms (${x.cutline.healthSamples}) |`,
  );
  return [
    `## Queue: ${r.renders} concurrent renders on ${r.workers} workers`,
    '',
    `\`${r.command}\`; baseline: the same ${r.renders} ffmpeg commands the platform compiles, run directly ${r.workers} at a time.`,
    `Machine: ${r.cores} cores; load average at start ${r.loadAverageStart.map((x) => x.toFixed(2)).join(' ')}, at end ${r.loadAverageEnd.map((x) => x.toFixed(2)).join(' ')}.`,
    '',
    '| run | succeeded | cutline wall | plain ffmpeg wall | ratio | max ffmpeg at once | most queued | health p50 / p95 / max while queued |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
