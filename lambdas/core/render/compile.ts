import type { Edit } from '../edit/schema.js';
import type { Cue } from '../text/captions.js';
import type { FontRegistry } from '../text/fonts.js';
import { CutlineError } from '../errors.js';
import { composeAudio, SAMPLE_RATE, type SampleWindow } from './audio.js';
import { audioCodecArgs, containerArgs, metadataArgs, videoCodecArgs } from './encode.js';
import { filter, FilterGraph } from '../filtergraph/graph.js';
import { InputList } from './inputs.js';
import type { OutputSpec } from './output-spec.js';
import type { ResolvedTimeline } from './timeline.js';
import { composeVideo, type MediaEntry } from './visual.js';
import { frameAt, type FrameWindow, windowSeconds } from './window.js';

/** Everything the compiler reads: the validated edit, its resolved timeline and what probing found. */
export interface CompileInput {
  edit: Edit;
  timeline: ResolvedTimeline;
  spec: OutputSpec;
  media: ReadonlyMap<string, MediaEntry>;
  captions: ReadonlyMap<string, Cue[]>;
  fonts: FontRegistry;
}

export type StreamSelection = 'all' | 'video' | 'audio';

export interface CompileOptions {
  output: string;
  /** Frames to render; default: output.range, or the whole timeline. */
  window?: FrameWindow;
  /** `video` and `audio` render one side only (the chunked path renders video in windows, audio once). */
  streams?: StreamSelection;
  threads?: number;
  /** `-filter_complex_threads`; default: `threads` (plan/threads.ts filterGraphThreads chooses it). */
  filterThreads?: number;
  /** Audio only: mix these timeline samples and write them as raw AAC frames (an audio part, ADTS). */
  audioPart?: SampleWindow;
  /**
   * An intermediate part the stitch joins (chunk or audio part): written without `+faststart`, which
   * rewrites the whole file to move its index; only the final file is played progressively.
   */
  part?: boolean;
  /** Video parameter sets before every IDR (a smart render's encoded piece; see EncodeOptions). */
  inBandHeaders?: boolean;
}

export interface CompiledRender {
  args: string[];
  graph: string;
  window: FrameWindow;
  frames: number;
  durationSeconds: number;
  hasVideo: boolean;
  hasAudio: boolean;
}

export function totalFrames(input: Pick<CompileInput, 'timeline' | 'spec'>): number {
  return frameAt(input.timeline.duration, input.spec.fps);
}

/** The window an edit renders by default: its output.range (clamped to the timeline), or all of it. */
export function defaultWindow(input: Pick<CompileInput, 'edit' | 'timeline' | 'spec'>): FrameWindow {
  const total = totalFrames(input);
  const { range } = input.edit.output;
  const fps = input.spec.fps;
  if (input.spec.still) {
    const f = Math.min(frameAt(range?.start ?? 0, fps), total - 1);
    return { startFrame: f, endFrame: f + 1 };
  }
  if (!range) return { startFrame: 0, endFrame: total };
  const startFrame = frameAt(range.start, fps);
  const endFrame = Math.min(total, frameAt(range.start + range.length, fps));
  if (endFrame <= startFrame) {
    throw new CutlineError(
      'VALIDATION_FAILED',
      `output.range: starts at ${range.start} s but the timeline ends at ${input.timeline.duration} s`,
      [
        {
          path: 'output.range.start',
          message: `is after the end of the timeline (${input.timeline.duration} s)`,
        },
      ],
    );
  }
  return { startFrame, endFrame };
}

/** Pure: edit + probe results → one ffmpeg invocation. */
export function compileRender(input: CompileInput, options: CompileOptions): CompiledRender {
  const { edit, timeline, spec } = input;
  const window = options.window ?? defaultWindow(input);
  const part = options.audioPart;
  const streams = part ? 'audio' : (options.streams ?? 'all');
  const graph = new FilterGraph();
  const inputs = new InputList(options.threads);
  const media = (src: string, at: string): MediaEntry => {
    const entry = input.media.get(src);
    if (!entry)
      throw new CutlineError('SOURCE_NOT_FOUND', `${at}: source was not resolved: ${src}`, [
        { path: at, message: 'not resolved' },
      ]);
    return entry;
  };
  const captions = (src: string, at: string): Cue[] => {
    const cues = input.captions.get(src);
    if (!cues)
      throw new CutlineError('SOURCE_NOT_FOUND', `${at}: captions were not loaded: ${src}`, [
        { path: at, message: 'not loaded' },
      ]);
    return cues;
  };

  const hasVideo = spec.hasVideo && streams !== 'audio';
  const hasAudio = spec.hasAudio && streams !== 'video';
  const maps: string[] = [];
  if (hasVideo) {
    let v = composeVideo(
      { graph, inputs, spec, window, media, captions, fonts: input.fonts },
      edit,
      timeline,
    );
    if (spec.scaled) {
      // scaleTo: laid out at the edit's size, delivered at another (text and offsets scale with it).
      v = graph.chain(v, [
        filter('scale', { w: spec.scaled.width, h: spec.scaled.height }),
        filter('setsar', { r: 1 }),
      ]);
    }
    if (spec.format === 'gif') {
      const [a, b] = [graph.pad('g'), graph.pad('g')];
      graph.chainMany(v, [filter('split')], [a, b]);
      const palette = graph.chain(a, [filter('palettegen', { stats_mode: 'diff' })]);
      v = graph.chain([b, palette], [filter('paletteuse', { dither: 'bayer', bayer_scale: 4 })], 'vout');
    } else {
      v = graph.chain(
        v,
        [filter('format', { pix_fmts: spec.still && spec.format === 'png' ? 'rgb24' : 'yuv420p' })],
        'vout',
      );
    }
    maps.push('-map', `[${v}]`);
  }
  if (hasAudio) {
    const a = composeAudio(
      { graph, inputs, fps: spec.fps, window, totalFrames: totalFrames(input), media, samples: part },
      edit,
      timeline,
    );
    maps.push('-map', `[${a}]`);
  }
  if (!maps.length)
    throw new CutlineError('VALIDATION_FAILED', 'output: nothing to render (no video and no audio)');

  const printed = graph.toString();
  const threads = options.threads;
  const codec = [
    ...(hasVideo
      ? videoCodecArgs(spec, { quality: edit.output.quality, threads, inBandHeaders: options.inBandHeaders })
      : []),
    ...(hasAudio ? audioCodecArgs(spec.format) : []),
    ...(part ? ['-f', 'adts'] : options.part ? [] : containerArgs(spec.format, edit.output.repeat ?? true)),
  ];
  const duration = part ? (part.to - part.from) / SAMPLE_RATE : windowSeconds(window, spec.fps).duration;
  const title = streams === 'all' ? metadataArgs(edit.output) : [];
  return {
    args: [
      '-hide_banner',
      '-nostdin',
      '-y',
      ...((options.filterThreads ?? threads)
        ? ['-filter_complex_threads', String(options.filterThreads ?? threads)]
        : []),
      ...inputs.args(),
      '-filter_complex',
      printed,
      ...maps,
      ...codec,
      ...title,
      options.output,
    ],
    graph: printed,
    window,
    frames: window.endFrame - window.startFrame,
    durationSeconds: duration,
    hasVideo,
    hasAudio,
  };
}
