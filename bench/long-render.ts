/**
 * cutline bench, long renders: an 8-minute 1080p edit through the local platform (`cutline start`: the
 * real API, the real state machine with its plan-sized task limits, chunks on the local cores) beside the
 * CLI's single pass of the same edit, in the same run. Writes bench/results/long-latest.json and .md.
 *
 *   npm run bench:long                 full run (480 s at 1080p; ~20–40 min on 2 busy cores)
 *   npm run bench:long -- --quick      smoke run (60 s at 720p)
 *   npm run bench:long -- --seconds 240 --height 720
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startLocalPlatform } from '../local/platform.js';
import { benchEdit } from './edits.js';
import { makeBenchMedia } from './media.js';
import { ffmpegVersion, gitCommit, probeOutput } from './measure.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');
const log = (line: string) => process.stderr.write(`[bench:long] ${line}\n`);
const uptime = () => loadavg().map((l) => Math.round(l * 100) / 100);

interface Side {
  status: string;
  seconds: number;
  frames: number;
  load: { before: number[]; after: number[] };
}

/** Rewrites the bench edit's relative sources to file:// URLs under the media folder (the platform's media root). */
function withFileUrls(edit: unknown, dir: string): unknown {
  return JSON.parse(JSON.stringify(edit), (k, v: unknown) =>
    k === 'src' && typeof v === 'string' ? pathToFileURL(join(dir, v)).href : v,
  );
}

async function cliSinglePass(editFile: string, mediaDir: string, out: string): Promise<Side> {
  const before = uptime();
  const t0 = performance.now();
  await run(
    process.execPath,
    [join(ROOT, 'bin/cutline.mjs'), 'render', editFile, '-o', out, '--chunks', '1', '--media-root', mediaDir],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    status: 'SUCCEEDED',
    seconds,
    frames: (await probeOutput(out)).frames,
    load: { before, after: uptime() },
  };
}

async function throughPlatform(edit: unknown, mediaDir: string, work: string) {
  const platform = await startLocalPlatform({ dataDir: join(work, 'platform'), mediaRoot: mediaDir });
  try {
    const headers = { 'x-api-key': platform.apiKey, 'content-type': 'application/json' };
    const before = uptime();
    const t0 = performance.now();
    const res = await fetch(`${platform.url}/v1/renders`, {
      method: 'POST',
      headers,
      body: JSON.stringify(edit),
    });
    if (res.status !== 202) throw new Error(`POST /v1/renders answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    let job: Record<string, unknown>;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      job = (await (await fetch(`${platform.url}/v1/renders/${id}`, { headers })).json()) as Record<
        string,
        unknown
      >;
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status as string)) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = uptime();
    let frames = 0;
    const video = (job.outputs as Array<{ kind: string; url: string }> | undefined)?.find(
      (o) => o.kind === 'video',
    );
    if (video) {
      const file = join(work, 'platform.mp4');
      await writeFile(file, Buffer.from(await (await fetch(video.url)).arrayBuffer()));
      frames = (await probeOutput(file)).frames;
    }
    const side: Side = { status: job.status as string, seconds, frames, load: { before, after } };
    return {
      side,
      estimatedSeconds: job.estimatedSeconds as number | undefined,
      plan: job.plan as unknown,
      error: job.error as unknown,
      longestChunkSeconds: platform.sfn.runner.longestTask.get('RenderChunk') ?? null,
    };
  } finally {
    await platform.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      height: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const seconds = Number(values.seconds ?? (quick ? 60 : 480));
  const height = Number(values.height ?? (quick ? 720 : 1080));
  const width = Math.round((height * 16) / 9 / 2) * 2;
  log(`${seconds} s at ${width}×${height}: CLI single pass, then the local platform`);
  const media = await makeBenchMedia(
    { width, height, fps: 25, videoSeconds: Math.ceil(seconds / 2) + 2, musicSeconds: seconds + 5 },
    log,
  );
  const work = await mkdtemp(join(tmpdir(), 'cutline-bench-long-'));
  try {
    const edit = benchEdit(media, seconds);
    const editFile = join(media.dir, `long-${seconds}s.json`);
    await writeFile(editFile, JSON.stringify(edit));
    const cli = await cliSinglePass(editFile, media.dir, join(work, 'cli.mp4'));
    log(`CLI single pass: ${cli.seconds.toFixed(1)} s`);
    const platform = await throughPlatform(withFileUrls(edit, media.dir), media.dir, work);
    log(`platform: ${platform.side.status} in ${platform.side.seconds.toFixed(1)} s`);
    const expectedFrames = seconds * 25;
    const results = {
      version: 1,
      date: new Date().toISOString(),
      edit: { seconds, width, height, fps: 25, expectedFrames },
      machine: {
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        cores: availableParallelism(),
        ffmpeg: await ffmpegVersion(),
        commit: await gitCommit(),
      },
      cli,
      platform,
      ratio: platform.side.seconds / cli.seconds,
    };
    const ok = platform.side.status === 'SUCCEEDED' && platform.side.frames === expectedFrames;
    const md = [
      `# cutline bench: a long render through the local platform`,
      '',
      `${results.date}, ${results.machine.cpuModel} × ${results.machine.cores}, ${results.machine.ffmpeg}, commit ${results.machine.commit ?? '?'}`,
      '',
      `Edit: the bench edit (two videos, crossfade, picture-in-picture, logo, title, soundtrack), ${seconds} s at ${width}×${height}, 25 fps.`,
      '',
      '| run | result | seconds | frames | load before → after (1/5/15 min) |',
      '| --- | --- | --- | --- | --- |',
      `| CLI single pass (\`cutline render --chunks 1\`) | ${cli.status} | ${cli.seconds.toFixed(1)} | ${cli.frames} | ${cli.load.before.join(' ')} → ${cli.load.after.join(' ')} |`,
      `| local platform (\`cutline start\`, POST → terminal) | ${platform.side.status} | ${platform.side.seconds.toFixed(1)} | ${platform.side.frames} | ${platform.side.load.before.join(' ')} → ${platform.side.load.after.join(' ')} |`,
      '',
      `Platform / CLI: **${results.ratio.toFixed(2)}×**. Plan: ${JSON.stringify(platform.plan)}, estimate ${platform.estimatedSeconds ?? '?'} s; the longest chunk task ran ${platform.longestChunkSeconds?.toFixed(1) ?? '?'} s${platform.error ? `; error: ${JSON.stringify(platform.error)}` : ''}.`,
      '',
    ].join('\n');
    await mkdir(RESULTS_DIR, { recursive: true });
    const name = quick ? 'long-latest-quick' : 'long-latest';
    await writeFile(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(RESULTS_DIR, `${name}.md`), md);
    process.stdout.write(`${md}\n`);
    return ok ? 0 : 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
