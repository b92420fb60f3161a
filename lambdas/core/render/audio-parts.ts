import { AAC_FRAME_SAMPLES, framesWithPriming } from '../media/aac-track.js';
import { SAMPLE_RATE } from './audio.js';

/**
 * Audio in parts that join by stream copy. AAC codes 1024-sample frames whose transforms overlap their
 * neighbours, so a part cannot simply start where the last one ended: each part starts and ends on an
 * AAC frame of the whole output, is encoded from PREROLL frames earlier (the encoder settles and the
 * first kept frame's overlap with the previous part is coded from the same signal) to one frame later
 * (the last kept frame's overlap), and keeps only its own frames. Joined, the frames are those of one
 * continuous stream: same length in samples, no gap; the seam differs from a single pass only by coding
 * noise (test/integration/render/audio-parts.test.ts measures it).
 */
export const AAC_FRAME = AAC_FRAME_SAMPLES;
/** Measured: one frame of pre-roll leaves an audible click at the seam (0.057 full scale); two do not. */
export const PREROLL_FRAMES = 4;
export const POSTROLL_FRAMES = 1;
/** Parts shorter than this cost more in invocations than they save in mixing (plan limits can lower it). */
export const MIN_PART_SECONDS = 15;

/** Formats whose audio is AAC and so can be rendered in parts (webm's Opus is mixed in one pass). */
export const partableFormat = (format: string): boolean => format === 'mp4' || format === 'mov';

export interface AudioPart {
  index: number;
  /** Samples of the rendition's audio this part delivers, `[startSample, endSample)`, from its start. */
  startSample: number;
  endSample: number;
  /** Samples encoded, pre- and post-roll included. */
  encodeFrom: number;
  encodeTo: number;
  /** Encoded frames dropped before the kept ones (pre-roll and the encoder's priming frame). */
  skipFrames: number;
  /** Frames kept; null: all the rest (the last part, whose final frame is partial). */
  keepFrames: number | null;
}

/**
 * Pure: splits `totalSamples` of audio into `count` parts on AAC frame boundaries. Part 0 keeps the
 * encoder's priming frame (the join marks it as such), so the joined stream decodes like a single pass.
 */
export function planAudioParts(totalSamples: number, count: number): AudioPart[] {
  const frames = Math.ceil(totalSamples / AAC_FRAME);
  const n = Math.max(1, Math.min(Math.floor(count), frames));
  const parts: AudioPart[] = [];
  for (let i = 0; i < n; i++) {
    const startSample = Math.floor((frames * i) / n) * AAC_FRAME;
    const endSample = i === n - 1 ? totalSamples : Math.floor((frames * (i + 1)) / n) * AAC_FRAME;
    const encodeFrom = Math.max(0, startSample - PREROLL_FRAMES * AAC_FRAME);
    const encodeTo = Math.min(totalSamples, endSample + POSTROLL_FRAMES * AAC_FRAME);
    // Encoded frame j starts at encodeFrom + (j - 1) × 1024 (frame 0 is the encoder's priming).
    const skipFrames = i === 0 ? 0 : (startSample - encodeFrom) / AAC_FRAME + 1;
    const keepFrames = i === n - 1 ? null : (endSample - startSample) / AAC_FRAME + (i === 0 ? 1 : 0);
    parts.push({ index: i, startSample, endSample, encodeFrom, encodeTo, skipFrames, keepFrames });
  }
  return parts;
}

/**
 * Longer parts than this are split further: one ffmpeg run costs more than linearly in the sources it
 * opens (bench: an 1800 s mix of 128 clips took 92–100 s in one run, its 18 s parts 0.6–0.7 s each).
 */
export const MAX_PART_SECONDS = 60;

/** How many parts: one per chunk, more so none is longer than MAX_PART_SECONDS, none shorter than `minSeconds`. */
export function audioPartCount(
  totalSamples: number,
  wanted: number,
  minSeconds = MIN_PART_SECONDS,
  maxParts = 200,
): number {
  const seconds = totalSamples / SAMPLE_RATE;
  const byLength = Math.floor(seconds / minSeconds);
  const atLeast = Math.ceil(seconds / MAX_PART_SECONDS);
  return Math.max(1, Math.min(Math.max(wanted, atLeast), byLength, maxParts));
}

/** Frames of the joined stream: the priming frame and one per 1024 samples, the last one partial. */
export const joinedFrames = framesWithPriming;

/**
 * The bitstream filter that turns the concatenated ADTS frames into a stream with a single pass's
 * timing: frame 0 is priming (pts −1024, which the MP4 muxer writes as an edit list), and the last
 * frame lasts only the samples left, so the track is exactly `totalSamples` long.
 */
export function joinTimingFilter(totalSamples: number): string {
  const last = joinedFrames(totalSamples) - 1;
  const rest = totalSamples - (last - 1) * AAC_FRAME;
  return `setts=time_base=1/${SAMPLE_RATE}:ts=N*${AAC_FRAME}-${AAC_FRAME}:duration=if(eq(N\\,${last})\\,${rest}\\,${AAC_FRAME})`;
}
