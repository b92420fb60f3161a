import type { Edit } from '../edit/schema.js';
import { filter, formatNumber as n, type FilterGraph, type FilterNode } from '../filtergraph/graph.js';
import type { InputList } from './inputs.js';
import type { Tweenable } from '../edit/tween.js';
import { isTween, tweenExpr, tweenRange } from './keyframes.js';
import type { Rational } from './output-spec.js';
import type { ResolvedTimeline } from './timeline.js';
import type { MediaEntry } from './visual.js';
import type { FrameWindow } from './window.js';
import { planTrackChain, usesPerSound } from './audio-chain.js';

export const SAMPLE_RATE = 48_000;
/** Seconds of a sound decoded past its last sample: about seven AAC or MP3 frames. */
const AUDIO_DECODE_TAIL = 0.15;
/** Length of the soundtrack's and clips' fadeIn / fadeOut effects, in seconds. */
export const AUDIO_FADE_SECONDS = 1.5;

/** Timeline samples `[from, to)` to mix (an audio part's encode range, pre-roll included). */
export interface SampleWindow {
  from: number;
  to: number;
}

export interface AudioContext {
  graph: FilterGraph;
  inputs: InputList;
  fps: Rational;
  window: FrameWindow;
  /** The whole timeline in frames (the soundtrack fills it and fades at its end). */
  totalFrames: number;
  media: (src: string, at: string) => MediaEntry;
  /** Mix these samples instead of the frame window's (audio parts start and end on AAC frames). */
  samples?: SampleWindow;
}

/** Sample index of frame `f`: audio and video end on the same instant. */
export const frameSample = (f: number, fps: Rational): number =>
  Math.round((f * SAMPLE_RATE * fps.den) / fps.num);

const normalise = (): FilterNode[] => [
  filter('aresample', [SAMPLE_RATE]),
  filter('aformat', { sample_fmts: 'fltp', channel_layouts: 'stereo' }),
  // Sample-counted timestamps: decoders' priming offsets do not shift the mix.
  filter('asetpts', ['N/SR/TB']),
];

/**
 * `asset.speed` on sound: atempo (pitch kept), chained in steps ffmpeg accepts (0.5–2 each), then the
 * timestamps counted in samples again.
 */
export function tempo(speed: number): FilterNode[] {
  if (speed === 1) return [];
  const steps: number[] = [];
  let left = speed;
  for (; left > 2; left /= 2) steps.push(2);
  for (; left < 0.5; left /= 0.5) steps.push(0.5);
  steps.push(left);
  return [...steps.map((k) => filter('atempo', [n(k)])), filter('asetpts', ['N/SR/TB'])];
}

/** Fade lengths in seconds: the effect's, or the crossfade with a neighbour on the track if longer. */
function fadeLengths(
  effect: string | undefined,
  lengthSeconds: number,
  extra: { inD?: number; outD?: number } = {},
): { inD: number; outD: number } {
  const d = Math.min(AUDIO_FADE_SECONDS, lengthSeconds / 2);
  return {
    inD: Math.max(effect === 'fadeIn' || effect === 'fadeInFadeOut' ? d : 0, extra.inD ?? 0),
    outD: Math.max(effect === 'fadeOut' || effect === 'fadeInFadeOut' ? d : 0, extra.outD ?? 0),
  };
}

/** One sound on the timeline: samples `[start, start + length)`, its fades in its own seconds. */
interface Sound {
  media: MediaEntry;
  /** Seconds into the source where the sound begins (trim). */
  trim: number;
  start: number;
  length: number;
  lengthSeconds: number;
  /** A level, or keyframes over the sound's own time. */
  volume: Tweenable;
  inD: number;
  outD: number;
  /** The soundtrack loops its source to fill the timeline. */
  loop: boolean;
  /** asset.speed: source seconds per timeline second (atempo keeps the pitch). */
  speed: number;
  /** The clip's path in the edit: its picture, when drawn in the same run, shares the input (InputList.addClipSpan). */
  key: string;
}

/** Where a sound meets the mixed window: timeline samples `[a, b)`. */
interface Span {
  a: number;
  b: number;
  /** Samples into the sound where the window starts. */
  head: number;
  /** Samples into the sound where decoding starts: `head`, or the start of a fade the window is inside. */
  seek: number;
}

/** Pure: the part of a sound the window needs, or null when it does not cross the window. */
function spanOf(s: Sound, w: SampleWindow): Span | null {
  const a = Math.max(s.start, w.from);
  const b = Math.min(s.start + s.length, w.to);
  if (b <= a) return null;
  const head = a - s.start;
  const inEnd = Math.round(s.inD * SAMPLE_RATE);
  const outStart = s.length - Math.round(s.outD * SAMPLE_RATE);
  // Decoding from inside a fade would change its curve: start where the fade starts instead.
  const seek = head < inEnd ? 0 : s.outD > 0 && head > outStart ? outStart : head;
  return { a, b, head, seek };
}

/**
 * Decodes only what the window needs: the source is seeked to the span, trimmed to it and delayed to its
 * place in the window, so the cost follows the overlap, not the clip's position on the timeline.
 */
function buildSound(ctx: AudioContext, s: Sound, span: Span, delay: number): string {
  let decodeFrom = span.seek;
  let source: string;
  const lead: FilterNode[] = [];
  if (s.loop) {
    const d = s.media.probe.durationSeconds;
    // With no known duration the loop decodes from its start.
    if (!(d && d > 0)) decodeFrom = 0;
    const into = d && d > 0 ? (decodeFrom / SAMPLE_RATE) % d : 0;
    const looped = ctx.inputs.addSource(s.media, ['-stream_loop', '-1', '-vn']);
    if (into > 0) {
      // ffmpeg restarts a seeked looped input at the wrong place: the rest of this pass is one input, the
      // loop from the file's start another, joined.
      const rest = ctx.inputs.addSource(s.media, ['-ss', n(into), '-vn']);
      source = ctx.graph.chain(
        [ctx.graph.chain(`${rest}:a`, normalise()), ctx.graph.chain(`${looped}:a`, normalise())],
        [filter('concat', { n: 2, v: 0, a: 1 })],
      );
    } else source = `${looped}:a`;
  } else {
    const from = s.trim + (decodeFrom / SAMPLE_RATE) * s.speed;
    // Decoded a little past its end (a few codec frames: decoder and resampler delay), no further: when
    // its picture shares the input, every extra second of audio is a second of video decoded too.
    const duration =
      decodeFrom === 0
        ? s.lengthSeconds * s.speed + AUDIO_DECODE_TAIL
        : ((s.length - decodeFrom) / SAMPLE_RATE) * s.speed + AUDIO_DECODE_TAIL;
    // From the sound's start it is decoded from up to a second before `from` and cut there (an AAC frame
    // needs the one before it), so the samples are the same whether the clip's picture shares this input
    // (the single pass: the video side opens it at the same point) or not. Part-way in (an audio part's
    // window) it is opened at `from` itself, or shares an input the picture opened earlier.
    const preroll = decodeFrom === 0 ? Math.max(0, from - 1) : from;
    const opened = ctx.inputs.addClipSpan(
      s.media,
      s.key,
      { seek: preroll, duration: from - preroll + duration },
      'audio',
    );
    source = `${opened.index}:a`;
    if (opened.seek < from) lead.push(filter('atrim', { start: n(from - opened.seek) }));
  }
  const fades: FilterNode[] = [];
  if (s.inD > 0 && decodeFrom === 0)
    fades.push(filter('afade', { t: 'in', st: 0, d: n(s.inD), curve: 'tri' }));
  if (s.outD > 0) {
    const st = s.lengthSeconds - s.outD - decodeFrom / SAMPLE_RATE;
    fades.push(filter('afade', { t: 'out', st: n(Math.max(0, st)), d: n(s.outD), curve: 'tri' }));
  }
  const left = s.length - decodeFrom;
  const cut = span.head - decodeFrom;
  const end = span.b - s.start - decodeFrom;
  return ctx.graph.chain(source, [
    ...lead,
    ...normalise(),
    ...tempo(s.speed),
    filter('atrim', { end_sample: left }),
    // A tweened volume is evaluated per audio frame against the sound's own time (t = 0 at its start;
    // this stream starts decodeFrom samples in).
    isTween(s.volume)
      ? filter('volume', {
          volume: tweenExpr(s.volume, 0, decodeFrom > 0 ? `(t+${n(decodeFrom / SAMPLE_RATE)})` : 't'),
          eval: 'frame',
        })
      : filter('volume', { volume: n(s.volume) }),
    ...fades,
    ...(cut > 0 || end < left
      ? [filter('atrim', { start_sample: cut, end_sample: end }), filter('asetpts', ['PTS-STARTPTS'])]
      : []),
    ...(delay > 0 ? [filter('adelay', { delays: `${delay}S`, all: 1 })] : []),
  ]);
}

/** The sounds of one track, in start order, with their crossfades. */
function trackSounds(ctx: AudioContext, track: ResolvedTimeline['tracks'][number]): Sound[] {
  const ordered = [...track].sort((a, b) => a.start - b.start);
  const sounds: Sound[] = [];
  ordered.forEach((timed, i) => {
    const asset = timed.clip.asset;
    if (asset.type !== 'audio' && asset.type !== 'video') return;
    const volume = asset.volume ?? 1;
    if (tweenRange(volume).max <= 0) return;
    const media = ctx.media(asset.src, `${timed.at}.asset.src`);
    if (!media.probe.hasAudio) return;
    // Overlaps on one track crossfade: the earlier clip fades out while the later fades in.
    const prevEnd = Math.max(0, ...ordered.slice(0, i).map((c) => c.end));
    const inD = prevEnd > timed.start ? Math.min(prevEnd - timed.start, timed.length / 2) : 0;
    const next = ordered[i + 1];
    const outD = next && next.start < timed.end ? Math.min(timed.end - next.start, timed.length / 2) : 0;
    const effect = asset.type === 'audio' ? asset.effect : asset.volumeEffect;
    sounds.push({
      media,
      trim: asset.trim ?? 0,
      start: Math.round(timed.start * SAMPLE_RATE),
      length: Math.round(timed.length * SAMPLE_RATE),
      lengthSeconds: timed.length,
      volume,
      loop: false,
      speed: asset.speed ?? 1,
      key: timed.at,
      ...fadeLengths(effect, timed.length, { inD, outD }),
    });
  });
  return sounds;
}

/**
 * A track of several sounds as one stream (render/audio-chain.ts): each sound decoded once at its exact
 * length, the pieces concatenated in order, the overlaps summed (each side already faded). Null when the
 * track's layout does not chain; its sounds are then mixed one by one.
 */
function trackChain(
  ctx: AudioContext,
  crossing: ReadonlyArray<{ s: Sound; span: Span }>,
  w: SampleWindow,
): string | null {
  const spans = crossing.map(({ span }) => ({ a: span.a - w.from, b: span.b - w.from }));
  const pieces = planTrackChain(spans);
  if (!pieces) return null;
  const { graph } = ctx;
  const uses = usesPerSound(pieces, crossing.length);
  const outs = crossing.map(({ s, span }, i) => {
    const len = span.b - span.a;
    // Exactly its span long: a source that ends early would shift every piece after it.
    const sound = graph.chain(buildSound(ctx, s, span, 0), [
      filter('apad', { whole_len: len }),
      filter('atrim', { end_sample: len }),
    ]);
    if (uses[i]! <= 1) return [sound];
    const labels = Array.from({ length: uses[i]! }, () => graph.pad('s'));
    graph.chainMany(sound, [filter('asplit', [uses[i]!])], labels);
    return [...labels]; // a copy: pieces take their labels off it
  });
  /** Samples [a, b) of the window from sound i, as a stream starting at 0. */
  const cut = (i: number, a: number, b: number): string => {
    const start = a - spans[i]!.a;
    return graph.chain(outs[i]!.shift()!, [
      filter('atrim', { start_sample: start, end_sample: start + (b - a) }),
      filter('asetpts', ['PTS-STARTPTS']),
    ]);
  };
  const labels = pieces.map((p) => {
    if (p.kind === 'gap')
      return graph.chain(
        [],
        [
          filter('anullsrc', { r: SAMPLE_RATE, cl: 'stereo' }),
          filter('aformat', { sample_fmts: 'fltp', channel_layouts: 'stereo' }),
          filter('atrim', { end_sample: p.b - p.a }),
        ],
      );
    if (p.kind === 'solo') return cut(p.sound, p.a, p.b);
    return graph.chain(
      [cut(p.first, p.a, p.b), cut(p.second, p.a, p.b)],
      [filter('amix', { inputs: 2, duration: 'longest', dropout_transition: 0, normalize: 0 })],
    );
  });
  return graph.chain(labels, [filter('concat', { n: labels.length, v: 0, a: 1 })]);
}

/**
 * Mixes the soundtrack, audio clips and the sound of video clips over the window (the frame window, or
 * `samples`), reading only the sources that cross it. Sources are summed at their own levels (amix with
 * normalize=0), so adding a track does not make the others quieter. The base is silence of the exact
 * length, so the output always has an audio stream.
 */
export function composeAudio(ctx: AudioContext, edit: Edit, timeline: ResolvedTimeline): string {
  const { graph, fps } = ctx;
  const totalSamples = frameSample(ctx.totalFrames, fps);
  const totalSeconds = totalSamples / SAMPLE_RATE;
  const w = ctx.samples ?? {
    from: frameSample(ctx.window.startFrame, fps),
    to: frameSample(ctx.window.endFrame, fps),
  };
  const length = w.to - w.from;
  const parts: string[] = [
    graph.chain(
      [],
      [
        filter('anullsrc', { r: SAMPLE_RATE, cl: 'stereo' }),
        filter('aformat', { sample_fmts: 'fltp', channel_layouts: 'stereo' }),
        filter('atrim', { end_sample: length }),
      ],
    ),
  ];

  const soundtrack = edit.timeline.soundtrack;
  if (soundtrack && (soundtrack.volume ?? 1) > 0) {
    const media = ctx.media(soundtrack.src, 'timeline.soundtrack.src');
    if (media.probe.hasAudio) {
      const sound: Sound = {
        media,
        trim: 0,
        start: 0,
        length: totalSamples,
        lengthSeconds: totalSeconds,
        volume: soundtrack.volume ?? 1,
        loop: true,
        speed: 1,
        key: 'timeline.soundtrack',
        ...fadeLengths(soundtrack.effect, totalSeconds),
      };
      const span = spanOf(sound, w);
      if (span) parts.push(buildSound(ctx, sound, span, span.a - w.from));
    }
  }

  for (const track of timeline.tracks) {
    const crossing = trackSounds(ctx, track).flatMap((s) => {
      const span = spanOf(s, w);
      return span ? [{ s, span }] : [];
    });
    const chained = crossing.length > 1 ? trackChain(ctx, crossing, w) : null;
    if (chained) parts.push(chained);
    else parts.push(...crossing.map(({ s, span }) => buildSound(ctx, s, span, span.a - w.from)));
  }

  const mixed =
    parts.length === 1
      ? parts[0]!
      : graph.chain(parts, [
          filter('amix', { inputs: parts.length, duration: 'first', dropout_transition: 0, normalize: 0 }),
        ]);
  return graph.chain(mixed, [
    filter('atrim', { start_sample: 0, end_sample: length }),
    filter('asetpts', ['PTS-STARTPTS']),
  ]);
}
