/**
 * Bench section "sources": a long 720p source → 5 auto clips (9:16, captions from an SRT) end to end
 * through the local platform (the real handlers, ASL, S3 and range proxy), with the bytes each worker
 * read through the loopback range proxy against the source size. Baseline in the same run: one plain
 * ffmpeg command per clip cutting the same windows (crop, scale, the same captions burned in, the same
 * x264 settings) from the local file.
 *
 *   npm run bench -- --sources-only                 1-hour source (made once, cached under bench/.media/)
 *   npm run bench -- --sources-only --source-minutes 10
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { rangeProxy } from '../lambdas/core/net/range-proxy.js';
import { getPlatform } from '../lambdas/core/platform.js';
import { startLocalPlatform } from '../local/platform.js';
import { timed } from './measure.js';

const run = promisify(execFile);
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const MEDIA_DIR = join(BENCH_DIR, '.media');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const CLIPS = 5;
const CLIP_SECONDS = 20;

export interface WorkerRead {
  worker: string;
  requests: number;
  bytes: number;
  fractionOfSource: number;
}

export interface SourcesResults {
  version: 1;
  date: string;
  source: { minutes: number; width: number; height: number; bytes: number };
  clips: Array<{ name: string; start: number; end: number }>;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  platform: { wallSeconds: number; status: string; plan: unknown };
  baseline: { wallSeconds: number; command: string };
  ratio: number;
  reads: WorkerRead[];
  totals: {
    bytesRead: number;
    /** What the pipeline read before range reads: every task that resolved sources downloaded the whole file. */
    bytesBefore: number;
    tasksBefore: number;
    maxRenderWorkerFraction: number;
  };
}

const ffmpeg = (args: string[]) =>
  run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { maxBuffer: 64 * 1024 * 1024 });

/**
 * The long source, made cheaply: one minute of lavfi testsrc2 (ultrafast, 2 s GOPs, a tone that is loud
 * and quiet in turns so the clip picker has something to choose by), looped by stream copy.
 */
async function longSource(minutes: number, log: (l: string) => void): Promise<string> {
  const path = join(MEDIA_DIR, `hour-720p-${minutes}min.mp4`);
  if (existsSync(path)) return path;
  await mkdir(MEDIA_DIR, { recursive: true });
  const minute = join(MEDIA_DIR, 'minute-720p.mp4');
  log(`making a ${minutes}-minute 720p source (once; cached in ${MEDIA_DIR})`);
  if (!existsSync(minute))
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1280x720:r=25:d=60',
      '-f',
      'lavfi',
      '-i',
      "aevalsrc='0.6*sin(2*PI*440*t)*gt(mod(t\\,15)\\,5)':s=48000:d=60",
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      '1200k',
      '-g',
      '50',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      minute,
    ]);
  const tmp = `${path}.tmp.mp4`;
  await ffmpeg(['-stream_loop', String(minutes - 1), '-i', minute, '-c', 'copy', tmp]);
  await rename(tmp, path);
  return path;
}

/** Captions for the whole source: a cue every 4 s. */
function srt(seconds: number): string {
  const t = (s: number) => {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')},000`;
  };
  const cues: string[] = [];
  for (let s = 0, n = 1; s + 4 <= seconds; s += 4, n++)
    cues.push(`${n}\n${t(s)} --> ${t(s + 3)}\nline ${n} at ${s} seconds\n`);
  return cues.join('\n');
}

export async function sourcesBench(opts: {
  minutes: number;
  log: (l: string) => void;
}): Promise<SourcesResults> {
  const { log } = opts;
  const loadAverageStart = loadavg();
  const source = await longSource(opts.minutes, log);
  const sourceBytes = (await stat(source)).size;
  const work = await mkdtemp(join(tmpdir(), 'cutline-bench-sources-'));
  const captions = join(work, 'captions.srt');
  await writeFile(captions, srt(opts.minutes * 60));
  const platform = await startLocalPlatform({ dataDir: join(work, 'platform') });
  try {
    const p = getPlatform();
    const tenant = platform.apiKeyId;
    log(`uploading the ${(sourceBytes / 1e6).toFixed(0)} MB source to the local S3`);
    await p.objects.putFile(p.ingestBucket, `inputs/${tenant}/hour.mp4`, source);
    await p.objects.putFile(p.ingestBucket, `inputs/${tenant}/hour.srt`, captions);
    const call = async (method: string, path: string, body?: unknown) => {
      // A poll may meet a keep-alive socket the server just closed (a 10-minute job polls 600 times):
      // a GET is asked again; a POST never is.
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(`${platform.url}${path}`, {
            method,
            headers: { 'x-api-key': platform.apiKey, 'content-type': 'application/json' },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        } catch (err) {
          if (method !== 'GET' || attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
    };
    log(`platform: ${CLIPS} auto clips of ~${CLIP_SECONDS} s with captions`);
    const job = await timed(async () => {
      const res = await call('POST', '/v1/clips', {
        src: 'hour.mp4',
        mode: 'auto',
        count: CLIPS,
        length: CLIP_SECONDS,
        captions: { src: 'hour.srt' },
        aspectRatios: ['9:16'],
      });
      if (res.status !== 202)
        throw new Error(`POST /v1/clips answered ${res.status}: ${JSON.stringify(res.body)}`);
      for (;;) {
        const { body } = await call('GET', `/v1/renders/${String(res.body.id)}`);
        if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(String(body.status))) return body;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    const result = job.result;
    if (result.status !== 'SUCCEEDED')
      throw new Error(`the clip job ended ${String(result.status)}: ${JSON.stringify(result.error)}`);
    const manifestOut = (result.outputs as Array<{ kind: string; url: string }>).find(
      (o) => o.kind === 'manifest',
    )!;
    const manifest = (await (await fetch(manifestOut.url)).json()) as {
      outputs: Array<{ name: string; meta: { start: number; end: number } }>;
    };
    const clips = manifest.outputs.map((o) => ({ name: o.name, start: o.meta.start, end: o.meta.end }));
    const reads = (await rangeProxy()).scopes(String(result.id)).map((s) => ({
      worker: s.scope.slice(String(result.id).length + 1),
      requests: s.requests,
      bytes: s.bytes,
      fractionOfSource: s.bytes / sourceBytes,
    }));
    reads.sort((a, b) => a.worker.localeCompare(b.worker, 'en', { numeric: true }));

    // Baseline: the same windows cut by plain ffmpeg from the local file, one after another.
    const vf = (start: number) =>
      `setpts=PTS+${start}/TB,subtitles=${captions},setpts=PTS-STARTPTS,crop=ih*9/16:ih,scale=720:1280`;
    const baselineArgs = (c: { name: string; start: number; end: number }) => [
      '-ss',
      String(c.start),
      '-t',
      String(c.end - c.start),
      '-i',
      source,
      '-vf',
      vf(c.start),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      join(work, `${c.name}.mp4`),
    ];
    log('baseline: plain ffmpeg cutting the same clips');
    const baseline = await timed(async () => {
      for (const c of clips) await ffmpeg(baselineArgs(c));
    });
    const plan = result.plan as Array<{ chunks: number }>;
    // Before: Probe, and per rendition Plan, each chunk (or the single pass), the audio and the stitch
    // each downloaded every source in full.
    const tasksBefore = 1 + plan.reduce((n, r) => n + 1 + r.chunks + 1 + (r.chunks > 1 ? 1 : 0), 0);
    const render = reads.filter((r) => /chunk|single|audio/.test(r.worker));
    return {
      version: 1,
      date: new Date().toISOString(),
      source: { minutes: opts.minutes, width: 1280, height: 720, bytes: sourceBytes },
      clips,
      loadAverageStart,
      loadAverageEnd: loadavg(),
      platform: { wallSeconds: job.wallSeconds, status: String(result.status), plan },
      baseline: {
        wallSeconds: baseline.wallSeconds,
        command: `ffmpeg ${baselineArgs(clips[0]!).join(' ')}`
          .split(work)
          .join('<work>')
          .split(source)
          .join('<source>'),
      },
      ratio: job.wallSeconds / baseline.wallSeconds,
      reads,
      totals: {
        bytesRead: reads.reduce((n, r) => n + r.bytes, 0),
        bytesBefore: tasksBefore * sourceBytes,
        tasksBefore,
        maxRenderWorkerFraction: Math.max(0, ...render.map((r) => r.fractionOfSource)),
      },
    };
  } finally {
    await platform.close();
    await rm(work, { recursive: true, force: true });
  }
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const pct = (f: number) => `${(f * 100).toFixed(2)} %`;

export function sourcesMarkdown(r: SourcesResults): string {
  return [
    `# cutline bench: sources (range reads), ${r.date}`,
    '',
    `Source: ${r.source.minutes} min of ${r.source.width}×${r.source.height} H.264/AAC, ${mb(r.source.bytes)}. ` +
      `Load average at start ${r.loadAverageStart.map((x) => x.toFixed(2)).join(' ')}, at end ${r.loadAverageEnd.map((x) => x.toFixed(2)).join(' ')}.`,
    '',
    '| run | wall s |',
    '| --- | ---: |',
    `| cutline platform: ${r.clips.length} auto clips (analysis of the whole source, captions, 9:16) | ${r.platform.wallSeconds.toFixed(1)} |`,
    `| baseline: plain ffmpeg cutting the same ${r.clips.length} windows (crop, scale, captions) | ${r.baseline.wallSeconds.toFixed(1)} |`,
    `| ratio | ${r.ratio.toFixed(2)} |`,
    '',
    `Clips: ${r.clips.map((c) => `${c.name} ${c.start.toFixed(1)}–${c.end.toFixed(1)} s`).join(', ')}.`,
    '',
    'Bytes each worker read through the loopback range proxy (probe: the clip picker analyses the whole',
    'source, video and audio apart; a single-pass clip reads its window twice, once for the picture and',
    'once for the sound):',
    '',
    '| worker | requests | bytes | of the source |',
    '| --- | ---: | ---: | ---: |',
    ...r.reads.map((w) => `| ${w.worker} | ${w.requests} | ${mb(w.bytes)} | ${pct(w.fractionOfSource)} |`),
    '',
    `Total read: ${mb(r.totals.bytesRead)}; before range reads the same job downloaded the whole source in ` +
      `${r.totals.tasksBefore} tasks: ${mb(r.totals.bytesBefore)}. The largest render worker read ` +
      `${pct(r.totals.maxRenderWorkerFraction)} of the source. Workers that read nothing (Plan, Stitch) do not appear.`,
    '',
    `Baseline command (first clip): \`${r.baseline.command}\``,
    '',
  ].join('\n');
}

export async function writeSourcesResults(r: SourcesResults): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const md = sourcesMarkdown(r);
  await writeFile(join(RESULTS_DIR, 'sources-latest.json'), `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(join(RESULTS_DIR, 'sources-latest.md'), md);
  return md;
}
