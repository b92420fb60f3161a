import type { Edit } from '../edit/schema.js';
import { filter, formatNumber as n, type FilterGraph, type FilterNode } from '../filtergraph/graph.js';
import type { InputList } from './inputs.js';
import { isTween, tweenExpr, tweenRange } from './keyframes.js';
import type { Rational } from './output-spec.js';
import type { ResolvedTimeline } from './timeline.js';
import type { MediaEntry } from './visual.js';
import type { FrameWindow } from './window.js';

export const SAMPLE_RATE = 48_000;
/** Length of the soundtrack's and clips' fadeIn / fadeOut effects, in seconds. */
export const AUDIO_FADE_SECONDS = 1.5;

export interface AudioContext {
  graph: FilterGraph;
  inputs: InputList;
  fps: Rational;
  window: FrameWindow;
  /** The whole timeline in frames; audio is mixed over all of it, then cut to the window. */
  totalFrames: number;
  media: (src: string, at: string) => MediaEntry;
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

function fades(
  effect: string | undefined,
  lengthSeconds: number,
  extra: { inD?: number; outD?: number } = {},
): FilterNode[] {
  const out: FilterNode[] = [];
  const d = Math.min(AUDIO_FADE_SECONDS, lengthSeconds / 2);
  const inD = Math.max(effect === 'fadeIn' || effect === 'fadeInFadeOut' ? d : 0, extra.inD ?? 0);
  const outD = Math.max(effect === 'fadeOut' || effect === 'fadeInFadeOut' ? d : 0, extra.outD ?? 0);
  if (inD > 0) out.push(filter('afade', { t: 'in', st: 0, d: n(inD), curve: 'tri' }));
  if (outD > 0)
    out.push(filter('afade', { t: 'out', st: n(lengthSeconds - outD), d: n(outD), curve: 'tri' }));
  return out;
}

/**
 * Mixes the soundtrack, audio clips and the sound of video clips over the whole timeline, then cuts the
 * window. Sources are summed at their own levels (amix with normalize=0), so adding a track does not make
 * the others quieter. The base is silence of the exact length, so the output always has an audio stream.
 */
export function composeAudio(ctx: AudioContext, edit: Edit, timeline: ResolvedTimeline): string {
  const { graph, fps } = ctx;
  const totalSamples = frameSample(ctx.totalFrames, fps);
  const totalSeconds = totalSamples / SAMPLE_RATE;
  const parts: string[] = [
    graph.chain(
      [],
      [
        filter('anullsrc', { r: SAMPLE_RATE, cl: 'stereo' }),
        filter('aformat', { sample_fmts: 'fltp', channel_layouts: 'stereo' }),
        filter('atrim', { end_sample: totalSamples }),
      ],
    ),
  ];

  const soundtrack = edit.timeline.soundtrack;
  if (soundtrack && (soundtrack.volume ?? 1) > 0) {
    const media = ctx.media(soundtrack.src, 'timeline.soundtrack.src');
    if (media.probe.hasAudio) {
      const index = ctx.inputs.addSource(media, ['-stream_loop', '-1', '-vn']);
      parts.push(
        graph.chain(`${index}:a`, [
          ...normalise(),
          filter('atrim', { end_sample: totalSamples }),
          filter('volume', { volume: n(soundtrack.volume ?? 1) }),
          ...fades(soundtrack.effect, totalSeconds),
        ]),
      );
    }
  }

  for (const track of timeline.tracks) {
    const ordered = [...track].sort((a, b) => a.start - b.start);
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
      const trim = asset.trim ?? 0;
      // Decoded from up to a second before the trim and cut there (an AAC frame needs the one before it),
      // so the samples are the same whether the clip's picture shares this input (the single pass: the
      // video side opens it at the same point) or not (an audio part).
      const preroll = Math.max(0, trim - 1);
      const { index, seek } = ctx.inputs.addClipSpan(
        media,
        timed.at,
        { seek: preroll, duration: trim - preroll + timed.length + 0.5 },
        'audio',
      );
      const delay = Math.round(timed.start * SAMPLE_RATE);
      parts.push(
        graph.chain(`${index}:a`, [
          ...(seek < trim ? [filter('atrim', { start: n(trim - seek) })] : []),
          ...normalise(),
          filter('atrim', { end_sample: Math.round(timed.length * SAMPLE_RATE) }),
          // A tweened volume is evaluated per audio frame against the clip's own time (t = 0 at its start).
          isTween(volume)
            ? filter('volume', { volume: tweenExpr(volume, 0, 't'), eval: 'frame' })
            : filter('volume', { volume: n(volume) }),
          ...fades(effect, timed.length, { inD, outD }),
          ...(delay > 0 ? [filter('adelay', { delays: `${delay}S`, all: 1 })] : []),
        ]),
      );
    });
  }

  const mixed =
    parts.length === 1
      ? parts[0]!
      : graph.chain(parts, [
          filter('amix', { inputs: parts.length, duration: 'first', dropout_transition: 0, normalize: 0 }),
        ]);
  const from = frameSample(ctx.window.startFrame, fps);
  const to = frameSample(ctx.window.endFrame, fps);
  return graph.chain(mixed, [
    filter('atrim', { start_sample: from, end_sample: to }),
    filter('asetpts', ['PTS-STARTPTS']),
  ]);
}
