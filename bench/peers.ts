/**
 * Section "CLI and peers": the bench edit end to end through `cutline render` (a child process, as a user
 * runs it: start-up, probing, the render, faststart) against the hand-written ffmpeg command and melt on
 * the same edit, at cutline's default quality (x264 veryfast CRF 23) and at x264 medium CRF 17, runs
 * alternating; and the start-up cost: `cutline render` of a 5 s title against its own ffmpeg command.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseEdit } from '../lambdas/core/intake/parse-edit.js';
import { prepareRender } from '../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../lambdas/core/media/sources.js';
import { compileRender } from '../lambdas/core/render/compile.js';
import { filterGraphThreads } from '../lambdas/core/plan/threads.js';
import { machinePlan } from '../lambdas/core/engine/machine-render.js';
import { baselineArgs, benchEdit, X264_DEFAULT, X264_MEDIUM, type X264 } from './edits.js';
import type { BenchMedia } from './media.js';
import { median, probeOutput, type Timing } from './measure.js';
import { MELT, meltArgs, meltVersion, meltXml } from './melt.js';

const run = promisify(execFile);
const CLI = resolve('bin/cutline.mjs');
const FFMPEG = () => process.env.CUTLINE_FFMPEG ?? 'ffmpeg';

export type PeerKind = 'ffmpeg' | 'ffmpeg-threads' | 'cutline' | 'cutline-first' | 'melt';
export interface PeerSide {
  kind: PeerKind;
  label: string;
  walls: number[];
  median: number;
  frames: number;
  durationSeconds: number;
  command: string;
}
export interface PeerPreset {
  name: string;
  x264: X264;
  sides: PeerSide[];
  /** cutline CLI ÷ hand-written ffmpeg (goal ≤ 1.00), sources probed on an earlier run (the probe cache). */
  cutlineRatio: number;
  /** The same for a first render of these sources: every one probed with ffprobe (`--fresh-probes`). */
  cutlineFirstRatio: number;
  /** The planner's estimate for cutline's render (what `cutline render --chunks 1` plans: machinePlan). */
  estimatedSeconds: number;
  /** melt ÷ cutline CLI on a first render (goal ≥ 1.5); null when melt was not run. */
  meltOverCutline: number | null;
}
export interface PeersResults {
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  reps: number;
  melt: { version: string } | { skipped: string };
  presets: PeerPreset[];
  startup: {
    reps: number;
    cutline: number[];
    ffmpeg: number[];
    overheadSeconds: number;
    goalSeconds: number;
  };
}

type Measure = <T>(fn: () => Promise<T>) => Promise<{ result: T } & Timing>;

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export async function peersBench(opts: {
  media: BenchMedia;
  duration: number;
  reps: number;
  work: string;
  measure: Measure;
  log: (line: string) => void;
}): Promise<PeersResults> {
  const { media, duration, reps, work, measure, log } = opts;
  const version = await meltVersion();
  if (!version) log('melt is not installed: the melt side is skipped (apt-get install melt)');
  const presets: PeerPreset[] = [];
  const filterThreads = filterGraphThreads(availableParallelism());
  for (const [name, x264, quality] of [
    ['default (x264 veryfast CRF 23)', X264_DEFAULT, undefined],
    ['x264 medium CRF 17 (quality veryhigh)', X264_MEDIUM, 'veryhigh'],
  ] as const) {
    const tag = x264.preset;
    const edit = benchEdit(media, duration) as { output: Record<string, unknown> };
    if (quality) edit.output.quality = quality;
    // In the media folder: the edit's sources are relative to it, as a user's would be.
    const editFile = join(media.dir, `bench-edit-${tag}.json`);
    await writeFile(editFile, JSON.stringify(edit, null, 2));
    const out = (k: PeerKind) => join(work, `peers-${tag}-${k}.mp4`);
    const xml = join(work, `bench-${tag}.mlt`);
    await writeFile(xml, meltXml(media, duration));
    const commands: Array<{ kind: PeerKind; label: string; bin: string; args: string[] }> = [
      {
        kind: 'ffmpeg',
        label: 'hand-written ffmpeg',
        bin: FFMPEG(),
        args: baselineArgs(media, duration, out('ffmpeg'), 'segmented', x264),
      },
      {
        // For the record: the hand-written command with the filter-graph thread setting cutline uses here.
        kind: 'ffmpeg-threads',
        label: `hand-written ffmpeg with cutline's -filter_complex_threads ${filterThreads ?? 'default'}`,
        bin: FFMPEG(),
        args: [
          ...(filterThreads ? ['-filter_complex_threads', String(filterThreads)] : []),
          ...baselineArgs(media, duration, out('ffmpeg-threads'), 'segmented', x264),
        ],
      },
      {
        kind: 'cutline-first',
        label: 'cutline render (CLI, single pass), first render of these sources',
        bin: process.execPath,
        args: [CLI, 'render', editFile, '-o', out('cutline-first'), '--chunks', '1', '--fresh-probes'],
      },
      {
        kind: 'cutline',
        label: 'cutline render (CLI, single pass), sources probed before',
        bin: process.execPath,
        args: [CLI, 'render', editFile, '-o', out('cutline'), '--chunks', '1'],
      },
      ...(version
        ? [
            {
              kind: 'melt' as const,
              label: `melt ${version}`,
              bin: MELT,
              args: meltArgs(xml, out('melt'), x264, media.fps, availableParallelism()),
            },
          ]
        : []),
    ];
    // The probe cache (local/probe-cache.ts) in a folder of the bench's own, filled once before the runs.
    const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };
    await run(process.execPath, [CLI, 'render', editFile, '-o', out('cutline'), '--dry-run'], { env });
    const walls = new Map<PeerKind, number[]>(commands.map((c) => [c.kind, []]));
    for (let rep = 0; rep < reps; rep++) {
      for (const c of commands) {
        const t = await measure(() => run(c.bin, c.args, { maxBuffer: 64 * 1024 * 1024, env }));
        walls.get(c.kind)!.push(t.wallSeconds);
        log(`peers ${tag} rep ${rep + 1}: ${c.kind} ${t.wallSeconds.toFixed(2)} s`);
      }
    }
    const sides: PeerSide[] = [];
    for (const c of commands) {
      const probe = await probeOutput(out(c.kind));
      const w = walls.get(c.kind)!;
      sides.push({
        kind: c.kind,
        label: c.label,
        walls: w,
        median: median(w),
        frames: probe.frames,
        durationSeconds: probe.durationSeconds,
        command:
          `${c.kind.startsWith('cutline') ? 'node' : c.kind.split('-')[0]} ${c.args.map(quote).join(' ')}`
            .split(media.dir)
            .join('$M'),
      });
    }
    const m = (k: PeerKind) => sides.find((s) => s.kind === k)?.median ?? NaN;
    const planned = await prepareRender(parseEdit(edit), {
      resolver: new LocalSourceResolver({ mediaRoot: media.dir, baseDir: media.dir, maxSourceBytes: 1e10 }),
    });
    presets.push({
      name,
      x264,
      estimatedSeconds: machinePlan(planned, { chunks: 1 }).estimatedSeconds,
      sides,
      cutlineRatio: m('cutline') / m('ffmpeg'),
      cutlineFirstRatio: m('cutline-first') / m('ffmpeg'),
      meltOverCutline: version ? m('melt') / m('cutline-first') : null,
    });
  }

  // Start-up: a 5 s title (examples/hello.json) through the CLI vs the ffmpeg command it compiles.
  const hello = resolve('examples/hello.json');
  const resolver = new LocalSourceResolver({
    mediaRoot: resolve('examples'),
    baseDir: resolve('examples'),
    maxSourceBytes: 1e9,
  });
  const input = await prepareRender(parseEdit(JSON.parse(await readFile(hello, 'utf8'))), { resolver });
  const titleOut = join(work, 'title-ffmpeg.mp4');
  // The command cutline runs for it (renderPrepared's filter threads included).
  const titleArgs = compileRender(input, {
    output: titleOut,
    filterThreads: filterGraphThreads(availableParallelism()),
  }).args;
  const startup = { cutline: [] as number[], ffmpeg: [] as number[] };
  const startupReps = Math.max(3, reps * 2);
  for (let rep = 0; rep < startupReps; rep++) {
    startup.ffmpeg.push((await measure(() => run(FFMPEG(), titleArgs))).wallSeconds);
    startup.cutline.push(
      (
        await measure(() =>
          run(process.execPath, [CLI, 'render', hello, '-o', join(work, 'title-cli.mp4'), '--chunks', '1']),
        )
      ).wallSeconds,
    );
    log(
      `startup rep ${rep + 1}: ffmpeg ${startup.ffmpeg.at(-1)!.toFixed(2)} s, cutline ${startup.cutline.at(-1)!.toFixed(2)} s`,
    );
  }
  return {
    width: media.width,
    height: media.height,
    fps: media.fps,
    durationSeconds: duration,
    reps,
    melt: version ? { version } : { skipped: 'melt is not installed (apt-get install melt)' },
    presets,
    startup: {
      reps: startupReps,
      ...startup,
      overheadSeconds: median(startup.cutline) - median(startup.ffmpeg),
      goalSeconds: 0.15,
    },
  };
}

const s = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');

export function peersMarkdown(r: PeersResults): string {
  const out: string[] = [];
  out.push(
    `## CLI and peers (${r.width}×${r.height}, ${r.fps} fps, ${r.durationSeconds} s; ${r.reps} rep${r.reps > 1 ? 's' : ''} each, alternating)`,
  );
  out.push('');
  if ('skipped' in r.melt) out.push(`melt: skipped — ${r.melt.skipped}.`, '');
  for (const p of r.presets) {
    out.push(`### ${p.name}`, '');
    out.push('| renderer | median wall (s) | runs (s) | vs hand-written ffmpeg | frames | duration (s) |');
    out.push('|---|---|---|---|---|---|');
    const base = p.sides.find((x) => x.kind === 'ffmpeg')!.median;
    for (const x of p.sides)
      out.push(
        `| ${x.label} | ${s(x.median)} | ${x.walls.map((w) => s(w)).join(', ')} | ${s(x.median / base, 3)}× | ${x.frames} | ${s(x.durationSeconds, 3)} |`,
      );
    out.push('');
    out.push(
      `cutline CLI ÷ hand-written: **${s(p.cutlineRatio, 3)}×**, first render of these sources **${s(p.cutlineFirstRatio, 3)}×** (goal ≤ 1.00)` +
        (p.meltOverCutline === null ? '' : `; melt ÷ cutline: **${s(p.meltOverCutline, 2)}×** (goal ≥ 1.5)`),
    );
    out.push('');
  }
  const st = r.startup;
  out.push(`### Start-up: a 5 s title (examples/hello.json), ${st.reps} runs each, alternating`, '');
  out.push('| side | median wall (s) | runs (s) |', '|---|---|---|');
  out.push(
    `| ffmpeg (the compiled command) | ${s(median(st.ffmpeg))} | ${st.ffmpeg.map((w) => s(w)).join(', ')} |`,
  );
  out.push(`| cutline render (CLI) | ${s(median(st.cutline))} | ${st.cutline.map((w) => s(w)).join(', ')} |`);
  out.push('', `Overhead over ffmpeg: **${s(st.overheadSeconds)} s** (goal ≤ ${s(st.goalSeconds)} s).`, '');
  return out.join('\n');
}
