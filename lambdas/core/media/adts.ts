import { CutlineError } from '../errors.js';

/**
 * ADTS framing of raw AAC: each frame starts with a 7- or 9-byte header whose 13-bit length covers the
 * whole frame. Enough to drop and keep whole frames without decoding (audio parts, render/audio-parts.ts).
 */
export function adtsFrames(data: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 7 > data.length || data[at] !== 0xff || (data[at + 1]! & 0xf6) !== 0xf0)
      throw new CutlineError('RENDER_FAILED', `audio part: no ADTS frame header at byte ${at}`);
    const length = ((data[at + 3]! & 0x03) << 11) | (data[at + 4]! << 3) | (data[at + 5]! >> 5);
    if (length < 7 || at + length > data.length)
      throw new CutlineError('RENDER_FAILED', `audio part: truncated ADTS frame at byte ${at}`);
    frames.push(data.subarray(at, at + length));
    at += length;
  }
  return frames;
}

/** Keeps `keep` frames after the first `skip` (null: all the rest); fails loudly if they are not there. */
export function sliceAdts(data: Uint8Array, skip: number, keep: number | null): Buffer {
  const frames = adtsFrames(data);
  const end = keep === null ? frames.length : skip + keep;
  if (end > frames.length || skip >= frames.length)
    throw new CutlineError(
      'RENDER_FAILED',
      `audio part: needed frames ${skip}–${end} of ${frames.length} encoded`,
    );
  return Buffer.concat(frames.slice(skip, end));
}
