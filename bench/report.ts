/** The bench's result shape, and its markdown rendering. */
import { peersMarkdown, type PeersResults } from './peers.js';
import { queueMarkdown, type QueueResults } from './queue.js';

import type { HourModel } from './hour-model.js';

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  availableParallelism: number;
  totalMemoryGiB: number;
  platform: string;
  node: string;
  ffmpeg: string;
  commit: string | null;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  /** Seconds spent waiting for other work on the machine to stop before measurements. */
  quietWaitSeconds: number;
}

export type Side = 'baseline' | 'cutline' | 'naive';

export interface Sample {
  kind: Side;
  rep: number;
  wallSeconds: number;
  cpuSeconds: number | null;
  /** CPU seconds other processes used during the measurement (noise). */
  otherCpuSeconds: number | null;
  estimatedSeconds?: number;
}

export interface SideResult {
  label: string;
  samples: Sample[];
  /** The same command with the encoders replaced by the null muxer. */
  graphOnly: Sample[];
  min: number;
  median: number;
  cpuMedian: number | null;
  graphOnlyMedian: number;
  /** ffprobe -count_frames of the output. */
  frames: number;
  durationSeconds: number;
  command: string;
  graph: string;
}

export interface Comparison {
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  reps: number;
  expectedFrames: number;
  framesMatch: boolean;
  /** The hand-written command the target is measured against. */
  baseline: SideResult;
  cutline: SideResult & { prepareSeconds: number };
  /** The plain form of the hand-written command, for reference. */
  naive: SideResult;
  ratioMedian: number;
  ratioMin: number;
  target: number;
  withinTarget: boolean;
}

export interface ScalingRun {
  label: string;
  workers: number;
  chunks: number;
  threadsPerWorker: number;
  /** ffmpeg processes were pinned (taskset) to this many cores; null: not pinned. */
  pinnedCores: number | null;
  wallSeconds: number;
  cpuSeconds: number | null;
  /** CPU seconds other processes used during the measurement (noise). */
  otherCpuSeconds: number | null;
  speedup: number;
  efficiency: number;
  estimatedSeconds: number;
}

export interface Projection {
  frames: number;
  functions: number;
  framesPerFunction: number;
  chunkSeconds: number;
  perFrameSeconds: number;
  chunkFit: { fixed: number; perUnit: number };
  audioSeconds: number;
  audioFit: { fixed: number; perUnit: number };
  stitchSeconds: number;
  stitchFit: { fixed: number; perUnit: number };
  stitchPoints: Array<{ frames: number; seconds: number }>;
  audioPoints: Array<{ seconds: number; wall: number }>;
  chunkPoints: Array<{ frames: number; seconds: number; cpuSeconds: number | null }>;
  projectedSeconds: number;
  /** If the audio were split across functions too, so it left the critical path. */
  projectedWithoutAudioSeconds: number;
  /** The same projection from the single pass's per-frame cost instead of a measured chunk. */
  projectedFromSinglePassSeconds: number;
  /**
   * The model (bench/hour-model.ts → lambdas/core/plan/projection.ts) with the terms the straight line
   * leaves out; when present, projectedSeconds is its result.
   */
  model?: HourModel & { note?: string };
}

export interface Scaling {
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  frames: number;
  /** Whether runs were pinned to W cores with taskset. */
  pinned: boolean;
  reference: ScalingRun;
  runs: ScalingRun[];
  projection: Projection;
}

export interface EstimateRow {
  render: string;
  endToEnd: boolean;
  estimatedSeconds: number;
  actualSeconds: number;
  /** (estimated − actual) / actual. */
  relativeError: number;
}

export interface Estimates {
  rows: EstimateRow[];
  /** End-to-end renders counted (older results lack it). */
  count?: number;
  medianAbsRelativeError: number;
  p90AbsRelativeError: number;
  /** Signed: > 0 when the model overestimates. */
  medianRelativeError?: number;
  /**
   * `cutline calibrate` measured at the start of the run (a different, shorter edit), and the same rows'
   * error with their estimates × its costScale: what a calibrated machine's estimates miss by.
   */
  calibrated?: {
    costScale: number;
    estimatedSeconds: number;
    runs: number[];
    medianAbsRelativeError: number;
    p90AbsRelativeError: number;
    medianRelativeError: number;
  };
}

export interface BenchResults {
  version: 1;
  date: string;
  mode: 'full' | 'quick';
  argv: string[];
  totalSeconds: number;
  machine: Machine;
  comparison: Comparison;
  scaling: Scaling | null;
  estimates: Estimates;
  /** The queue section (bench/queue.ts); null when skipped. */
  queue?: QueueResults | null;
  /** The CLI end to end beside hand-written ffmpeg and melt, and start-up (bench/peers.ts); null when skipped. */
  peers?: PeersResults | null;
  problems: string[];
}

const s = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : '—');
const signedPct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %` : '—');
const cpu = (x: number | null) => (x === null ? '—' : s(x, 1));

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const c = r.comparison;
  const out: string[] = [];
  out.push(`# cutline bench — ${r.date}${r.mode === 'quick' ? ' (quick: smoke run, scaled down)' : ''}`);
  out.push('');
  out.push(
    table(
      ['machine', ''],
      [
        ['CPU', `${m.cpuModel} × ${m.cpuCount} (availableParallelism ${m.availableParallelism})`],
        ['memory', `${s(m.totalMemoryGiB, 1)} GiB`],
        ['OS', m.platform],
        ['node', m.node],
        ['ffmpeg', m.ffmpeg],
        ['commit', m.commit ?? '—'],
        [
          'load average (1/5/15 min) at start → end',
          `${m.loadAverageStart.map((x) => s(x)).join(' / ')} → ${m.loadAverageEnd.map((x) => s(x)).join(' / ')}`,
        ],
        [
          'bench wall time',
          `${s(r.totalSeconds / 60, 1)} min, of which ${s(m.quietWaitSeconds, 0)} s waiting for other work on the machine to pause before measurements`,
        ],
      ],
    ),
  );
  out.push('');

  out.push(
    `## 1. Engine vs hand-written ffmpeg (${c.width}×${c.height}, ${c.fps} fps, ${c.durationSeconds} s; ${c.reps} rep${c.reps > 1 ? 's' : ''} each, alternating)`,
  );
  out.push('');
  out.push(
    'All sides decode the same sources and encode with the same settings (x264 veryfast CRF 23 yuv420p, 2 s closed GOP, AAC 192k 48 kHz, faststart) on all cores (no `-threads`; cutline runs its filter graph on one thread where there are two cores or fewer, `plan/threads.ts` filterGraphThreads, which the CLI section also measures on the hand-written command). cutline is `renderOnThisMachine` with `chunks: 1` (the single-pass path: compile + one ffmpeg); source probing (`prepareRender`) is listed separately. "graph only" is the same command with the encoders replaced by `-f null`. The naive hand-written form is for reference; the target is measured against the baseline. Before each measurement the bench waits (up to 30 s; 5 s in a quick run) for the machine to be quiet; "other load" is the CPU time other processes still used during it (this machine is shared, so it is the noise to watch).',
  );
  out.push('');
  const sideRow = (x: SideResult, name: string) => [
    name,
    s(x.min),
    s(x.median),
    cpu(x.cpuMedian),
    s(x.graphOnlyMedian),
    String(x.frames),
    `${s(x.median / c.baseline.median, 3)}×`,
  ];
  out.push(
    table(
      [
        '',
        'min wall s',
        'median wall s',
        'median CPU s',
        'graph only, median wall s',
        'video frames',
        'median / baseline',
      ],
      [
        sideRow(c.baseline, `**baseline**: ${c.baseline.label}`),
        sideRow(c.cutline, `**${c.cutline.label}**`),
        sideRow(c.naive, c.naive.label),
      ],
    ),
  );
  out.push('');
  out.push(
    `**cutline / baseline: ${s(c.ratioMedian, 3)}× (median), ${s(c.ratioMin, 3)}× (min)** — target ≤ ${c.target}×: **${c.withinTarget ? 'met' : 'missed'}**. CPU: ${
      c.baseline.cpuMedian && c.cutline.cpuMedian
        ? `${s(c.cutline.cpuMedian / c.baseline.cpuMedian, 3)}×`
        : '—'
    }; graph only: ${s(c.cutline.graphOnlyMedian / c.baseline.graphOnlyMedian, 3)}×. Frame counts: ${
      c.framesMatch ? `all ${c.expectedFrames}, as expected` : `**differ** (expected ${c.expectedFrames})`
    }. cutline's \`prepareRender\` (probing the sources) took ${s(c.cutline.prepareSeconds)} s more, not included above.`,
  );
  out.push('');
  const reps = [...c.baseline.samples, ...c.cutline.samples, ...c.naive.samples];
  const order: Side[] = ['baseline', 'cutline', 'naive'];
  reps.sort((a, b) => a.rep - b.rep || order.indexOf(a.kind) - order.indexOf(b.kind));
  out.push(
    table(
      ['run', 'side', 'wall s', 'CPU s', 'other load, CPU s'],
      reps.map((x) => [
        String(x.rep + 1),
        x.kind,
        s(x.wallSeconds),
        cpu(x.cpuSeconds),
        cpu(x.otherCpuSeconds),
      ]),
    ),
  );
  out.push('');

  if (r.scaling) {
    const sc = r.scaling;
    const p = sc.projection;
    out.push(
      `## 2. Chunk scaling (${sc.width}×${sc.height}, ${sc.fps} fps, ${sc.durationSeconds} s = ${sc.frames} frames; 1-thread workers; one run each)`,
    );
    out.push('');
    out.push(
      sc.pinned
        ? 'Every run is `renderOnThisMachine` with `threadsPerWorker: 1` (`-threads 1 -filter_complex_threads 1`) and `concurrency: W`, its ffmpeg processes pinned with `taskset` to W cores, so W workers get exactly W cores. Reference: the single pass (`chunks: 1`) on one core. Chunked runs mix the audio once alongside the chunks, then stitch by stream copy. The unpinned single pass shows what `threadsPerWorker: 1` alone gives: the decoders still start their own threads. speedup = reference wall / run wall; efficiency = speedup / W. CPU s = user + system seconds of all the ffmpeg processes.'
        : 'Every run is `renderOnThisMachine` with `threadsPerWorker: 1` (`-threads 1 -filter_complex_threads 1`) and `concurrency: W` (taskset was not available: runs are not pinned to W cores). Reference: the single pass (`chunks: 1`). Chunked runs mix the audio once alongside the chunks, then stitch by stream copy. speedup = reference wall / run wall; efficiency = speedup / W.',
    );
    out.push('');
    out.push(
      table(
        [
          'run',
          'workers W',
          'chunks',
          'wall s',
          'CPU s',
          'other load, CPU s',
          'speedup',
          'efficiency',
          'planner estimate s',
        ],
        [sc.reference, ...sc.runs].map((x) => [
          x.label,
          String(x.workers),
          String(x.chunks),
          s(x.wallSeconds),
          cpu(x.cpuSeconds),
          cpu(x.otherCpuSeconds),
          `${s(x.speedup)}×`,
          pct(x.efficiency),
          s(x.estimatedSeconds),
        ]),
      ),
    );
    out.push('');
    out.push(`### Projection: a 1-hour source on ${p.functions} functions`);
    out.push('');
    out.push(
      `${p.frames} frames / ${p.functions} functions = ${p.framesPerFunction} frames per function. Each function is one 1-thread worker on one vCPU, so its time is the measured cost of one chunk of that size rendered alone with \`threads: 1\`${sc.pinned ? ' on one core' : ''} (\`renderChunk\`, what the chunk function runs). The audio of the whole hour is mixed once by one more function while the chunks render, so it only adds time if it takes longer than a chunk; the stitch (stream copy of every chunk + audio mux) runs after the last chunk.`,
    );
    out.push('');
    out.push('```');
    out.push(
      'projected = max(chunk(450 frames), audio(3600 s)) + stitch(90000 frames)\n' +
        '  chunk(n)  = measured renderChunk wall for n frames, 1 thread          (fit: fixed + per-frame × n)\n' +
        '  audio(d)  = measured renderAudioPart wall for d s of timeline           (fit: fixed + per-second × d)\n' +
        '  stitch(n) = measured stitch() wall over kept chunk files of n frames   (fit: fixed + per-frame × n)',
    );
    out.push('```');
    out.push('');
    out.push(
      table(
        ['term', 'measured points', 'fit (fixed + per unit)', 'value for 1 h / 200'],
        [
          [
            `chunk (${p.framesPerFunction} frames, 1 thread)`,
            p.chunkPoints
              .map(
                (x) =>
                  `${x.frames} f: ${s(x.seconds)} s${x.cpuSeconds === null ? '' : ` (CPU ${s(x.cpuSeconds)} s)`}`,
              )
              .join(', '),
            `${s(p.chunkFit.fixed)} s + ${s(p.chunkFit.perUnit * 1000, 1)} ms/frame`,
            `${s(p.chunkSeconds)} s (${s(p.perFrameSeconds * 1000, 1)} ms/frame)`,
          ],
          [
            'audio (3600 s, parallel)',
            p.audioPoints.map((x) => `${x.seconds} s: ${s(x.wall)} s`).join(', '),
            `${s(p.audioFit.fixed)} s + ${s(p.audioFit.perUnit * 1000, 1)} ms/s`,
            `${s(p.audioSeconds)} s`,
          ],
          [
            `stitch (${p.frames} frames)`,
            p.stitchPoints.map((x) => `${x.frames} f: ${s(x.seconds)} s`).join(', '),
            `${s(p.stitchFit.fixed)} s + ${s(p.stitchFit.perUnit * 1e6, 1)} µs/frame`,
            `${s(p.stitchSeconds)} s`,
          ],
          p.model
            ? [
                'straight line: max(chunk, audio) + stitch (see the model below)',
                '',
                '',
                `${s(Math.max(p.chunkSeconds, p.audioSeconds) + p.stitchSeconds, 1)} s`,
              ]
            : ['**projected wall**', '', '', `**${s(p.projectedSeconds, 1)} s**`],
          [
            'same, if the audio left the critical path (chunk + stitch)',
            '',
            '',
            `${s(p.projectedWithoutAudioSeconds, 1)} s`,
          ],
          [
            'same, from the single pass per-frame cost',
            `${s((sc.reference.wallSeconds / sc.frames) * 1000, 1)} ms/frame`,
            '',
            `${s(p.projectedFromSinglePassSeconds, 1)} s`,
          ],
        ],
      ),
    );
    out.push('');
    if (p.model) {
      const m = p.model;
      const a = m.assumptions;
      out.push(`#### The model: **${s(m.result.seconds, 1)} s** for the hour`);
      out.push('');
      if (m.note) out.push(m.note, '');
      out.push(
        `${m.inputs.chunks} chunks and ${m.inputs.audioParts} audio parts as Distributed Map items at a ceiling of ${m.result.concurrency} at once (${m.result.waves} wave${m.result.waves > 1 ? 's' : ''}; an inline Map would be capped at 40). Measured here: one chunk ${s(m.inputs.chunkSeconds)} s, the slowest audio part ${s(m.inputs.audioPartSeconds)} s, the stream-copy join of ${m.inputs.chunks} parts ${s(m.inputs.stitchSeconds)} s, ${s(m.inputs.chunkBytes / 1e6, 1)} MB per chunk part, ${s(m.inputs.sourceBytesPerChunk / 1e6, 1)} MB of source byte ranges per function. Assumed (AWS, not measurable here): ${a.invocationSeconds} s per invocation, ${a.coldStartSeconds} s cold start in the first wave, ${s(a.transferBytesPerSecond / 1e6, 0)} MB/s of S3 transfer per function, ${a.fixedStepsSeconds} s for the fixed steps.`,
      );
      out.push('');
      out.push(
        table(
          ['term', 'seconds'],
          [
            ...m.result.terms.map((t) => [t.name, s(t.seconds)]),
            ['**projected wall (fixed + max(video, audio) + stitch)**', `**${s(m.result.seconds, 1)}**`],
          ],
        ),
      );
      out.push('');
    } else
      out.push(
        `Not included: function cold starts, downloading sources and uploading chunks (S3), Step Functions latency. Assumes the hour has the bench edit's density (${sc.width}×${sc.height}, same layers per frame) and that a function's one vCPU is as fast as one core here.`,
      );
    out.push('');
  }

  const e = r.estimates;
  out.push('## 3. Cost-model estimate error (`planRender(...).estimatedSeconds` vs measured wall)');
  out.push('');
  out.push(
    table(
      ['render', 'estimate s', 'actual s', 'error', ...(e.calibrated ? ['calibrated error'] : [])],
      e.rows.map((x) => [
        x.endToEnd ? x.render : `${x.render} (component)`,
        s(x.estimatedSeconds),
        s(x.actualSeconds),
        signedPct(x.relativeError),
        ...(e.calibrated
          ? [signedPct((x.estimatedSeconds * e.calibrated.costScale - x.actualSeconds) / x.actualSeconds)]
          : []),
      ]),
    ),
  );
  out.push('');
  out.push(
    `End-to-end renders${e.count !== undefined ? ` (${e.count})` : ''}: median |error| **${pct(e.medianAbsRelativeError)}**, p90 |error| **${pct(e.p90AbsRelativeError)}**${e.medianRelativeError !== undefined ? `, median signed error ${signedPct(e.medianRelativeError)} (> 0: the model overestimates)` : ''} (error = (estimate − actual) / actual; components are shown for reference and not counted). The API gives the same model's estimate at submit (\`estimatedSeconds\`), and \`GET /v1/metrics\` reports this error over a tenant's finished jobs.`,
  );
  out.push('');
  if (e.calibrated) {
    const c = e.calibrated;
    out.push(
      `Calibrated (\`cutline calibrate\` at the start of this run: 8 s of the same layout at 1080p, rendered on its own before any row, estimated ${s(c.estimatedSeconds)} s, took ${c.runs.map((x) => s(x)).join(', ')} s, so costScale **${c.costScale}**; no row's own time goes into it): median |error| **${pct(c.medianAbsRelativeError)}**, p90 |error| **${pct(c.p90AbsRelativeError)}**, median signed error ${signedPct(c.medianRelativeError)}.`,
    );
    out.push('');
  }

  if (r.problems.length) {
    out.push('## Problems');
    out.push('');
    for (const p of r.problems) out.push(`- ${p}`);
    out.push('');
  }

  out.push('## Commands');
  out.push('');
  for (const x of [c.baseline, c.naive, c.cutline]) {
    out.push(`${x.label} (\`$M\` = the media directory):`);
    out.push('');
    out.push('```sh');
    out.push(x.command);
    out.push('```');
    out.push('');
  }
  out.push('<details><summary>filter graphs, one chain per line</summary>');
  out.push('');
  for (const x of [c.baseline, c.naive, c.cutline]) {
    out.push(`${x.label}:`);
    out.push('');
    out.push('```');
    out.push(
      x.graph
        .replace(/\n/g, '')
        .split(/;(?=\[|color=|anullsrc)/)
        .join(';\n'),
    );
    out.push('```');
    out.push('');
  }
  out.push('</details>');
  out.push('');
  if (r.peers) out.push('', peersMarkdown(r.peers));
  if (r.queue) out.push('', queueMarkdown(r.queue));
  return out.join('\n');
}
