import type { Edit } from '../edit/schema.js';
import type { OutputSpec } from '../render/output-spec.js';
import type { ResolvedTimeline } from '../render/timeline.js';

/**
 * The render cost model: seconds of one CPU thread to compose and encode one output frame.
 *
 *   secondsPerFrame = BASE + PER_MEGAPIXEL × megapixels × codecFactor × (1 + LAYER × extraLayers + EFFECT × movingLayers)
 *
 * - BASE is the fixed per-frame cost (decode, filter graph bookkeeping).
 * - PER_MEGAPIXEL is x264 `veryfast` plus one full-frame layer on one thread of a 2020s x86 core,
 *   calibrated on `npm run bench`: first on a 2-core EPYC (2026-11-23: 28 ms/frame for a 1080p edit
 *   with three layers on one thread; the first model, at 0.014, overestimated by 2×), then BASE and
 *   PER_MEGAPIXEL refit on the 2-core Xeon of 2026-12-01, where all nine 1080p end-to-end renders ran
 *   at 0.70–0.78 of the estimate and a 720p run showed the per-frame cost is almost all per pixel
 *   (BASE ~0: one thread, same edit, 22.1 ms/frame at 1080p, 9.1 ms at 720p). The structure (layers,
 *   threads, presets) held; the CPU was faster: the EPYC took ~1.4× as long for the same work.
 * - Each layer beyond the first adds a scale + overlay pass; layers with an effect, a wipe or rotation
 *   are drawn per frame (zoompan, geq), which costs about as much as encoding.
 * - VP9 costs about 2.5× x264 at the speeds cutline uses; GIF palettes about 1.5×.
 * The planner uses it to size chunks and to pick Lambda or Fargate; bench reports its error.
 */
export const COST = Object.freeze({
  BASE: 0.0002,
  PER_MEGAPIXEL: 0.006,
  LAYER: 0.25,
  EFFECT: 0.9,
  CODEC: { mp4: 1, mov: 1, webm: 2.5, gif: 1.5, jpg: 0.5, png: 0.6, mp3: 0, wav: 0 } as Record<
    string,
    number
  >,
  /**
   * x264 by `output.quality` (render/encode.ts), against the default (veryfast CRF 23): veryhigh (medium
   * CRF 17) measured 2.06× in `npm run bench`'s CLI section (2026-12-01, 30 s 1080p edit, idle), high
   * (fast CRF 20) 1.77× in CPU on 10 s of 1080p; the lower CRFs of veryfast cost slightly less (fewer bits,
   * not measured). VP9's qualities change its deadline instead and are not modelled (1).
   */
  QUALITY: { verylow: 0.9, low: 0.95, medium: 1, high: 1.77, veryhigh: 2.06 } as Record<string, number>,
  /** Bytes per output pixel per frame of an intermediate chunk at CRF 23 (generous). */
  CHUNK_BYTES_PER_PIXEL: 0.08,
  /**
   * Audio, on one thread: decoding, mixing and AAC-encoding a second of timeline, plus a cost per second
   * per source the run opens (ffmpeg's work per step grows with its inputs, so one run over a long edit
   * is worse than linear). Fit (2026-12-01) on the single-mix timings of 15 s clips with 1 s crossfades,
   * measured on an idle 2-core EPYC: 60 s / 4 clips 0.86 s, 300 s / 21 clips 4.3 s, 1800 s / 128 clips
   * 38.8 s, 3600 s / 240 clips 128 s (within 20 % at every point); AAC alone is ~0.013 s per second.
   */
  AUDIO_PER_SECOND: 0.014,
  AUDIO_PER_INPUT_SECOND: 0.00009,
  /** Fixed cost of one ffmpeg run that mixes audio (start-up, opening the sources, graph set-up). */
  AUDIO_RUN_SECONDS: 0.15,
  /**
   * Post-processing after the main file, as a multiple of the main file's own render time: the HLS
   * ladder re-encodes up to four rungs in one pass, `web` encodes the other format (VP9 beside an MP4
   * costs ~2.5×), sprites and the preview GIF decode the video once, loudness re-encodes the audio twice.
   * Not calibrated: it sizes task time limits (with their margin), not the estimate users see.
   */
  PACKAGING: { hls: 2, web: 2.5, thumbnails: 0.2, 'preview-gif': 0.1, loudness: 0.2, social: 0 } as Record<
    string,
    number
  >,
});

export interface EditComplexity {
  layers: number;
  movingLayers: number;
  audioSources: number;
}

export function complexity(edit: Edit, timeline: ResolvedTimeline): EditComplexity {
  let layers = 0;
  let moving = 0;
  let audio = edit.timeline.soundtrack ? 1 : 0;
  for (const clip of timeline.tracks.flat()) {
    const c = clip.clip;
    if (c.asset.type === 'audio') {
      audio++;
      continue;
    }
    if (c.asset.type === 'video') audio++;
    layers++;
    const t = `${c.transition?.in ?? ''}${c.transition?.out ?? ''}`;
    if (c.effect || /wipe|reveal|zoom/.test(t) || c.transform?.rotate) moving++;
  }
  // Clips on one track rarely overlap in time: count the layers visible at once, roughly.
  const concurrent = Math.max(1, Math.min(layers, timeline.tracks.length));
  return {
    layers: concurrent,
    movingLayers: Math.min(moving, concurrent),
    audioSources: audio,
  };
}

/** Seconds to mix and AAC-encode `seconds` of timeline in one ffmpeg run that opens `inputs` sources. */
export function audioSeconds(seconds: number, inputs: number): number {
  return (
    COST.AUDIO_RUN_SECONDS +
    seconds * (COST.AUDIO_PER_SECOND + COST.AUDIO_PER_INPUT_SECOND * Math.max(1, inputs))
  );
}
export function secondsPerFrame(spec: OutputSpec, c: EditComplexity, quality?: string): number {
  const mp = (spec.width * spec.height) / 1e6;
  const x264 = spec.format === 'mp4' || spec.format === 'mov';
  const codec = (COST.CODEC[spec.format] ?? 1) * (x264 ? (COST.QUALITY[quality ?? 'medium'] ?? 1) : 1);
  return (
    COST.BASE +
    COST.PER_MEGAPIXEL * mp * codec * (1 + COST.LAYER * (c.layers - 1) + COST.EFFECT * c.movingLayers)
  );
}

export function chunkScratchBytes(spec: OutputSpec, frames: number): number {
  return spec.width * spec.height * frames * COST.CHUNK_BYTES_PER_PIXEL;
}

/** Seconds of post-processing the output's presets add to a main file that takes `renderSeconds`. */
export function packagingSeconds(presets: Edit['output']['presets'], renderSeconds: number): number {
  const weight = (presets ?? []).reduce(
    (w, p) => w + (COST.PACKAGING[typeof p === 'string' ? p : p.name] ?? 1),
    0,
  );
  return weight * renderSeconds;
}
