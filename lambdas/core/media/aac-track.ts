import { CutlineError } from '../errors.js';
import { adtsFrames } from './adts.js';
import { box, fullBox, u16, u32, u8 } from './mp4-box.js';

/** Samples one AAC frame codes. */
export const AAC_FRAME_SAMPLES = 1024;

/** Frames of an AAC stream of `totalSamples` as the encoder writes it: its priming frame, then one per 1024 samples (the last partial). */
export const framesWithPriming = (totalSamples: number): number =>
  Math.ceil(totalSamples / AAC_FRAME_SAMPLES) + 1;

/** AAC frames as an MP4 track carries them: ADTS headers stripped, the stream's config in esds. */
export interface AacFrames {
  /** Raw AAC frames (no ADTS header), in order; frame 0 is the encoder's priming frame. */
  frames: Buffer[];
  sampleRate: number;
  channels: number;
  /** MPEG-4 audio object type (2: AAC LC) and sampling-frequency index, as in the ADTS header. */
  objectType: number;
  frequencyIndex: number;
}

const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Splits joined ADTS audio (render/audio-parts.ts) into raw frames; every frame must share one config. */
export function aacFromAdts(data: Uint8Array): AacFrames {
  const framed = adtsFrames(data);
  if (!framed.length) throw new CutlineError('RENDER_FAILED', 'reference join: the audio has no AAC frames');
  const config = (f: Uint8Array) => ({
    objectType: (f[2]! >> 6) + 1,
    frequencyIndex: (f[2]! >> 2) & 0x0f,
    channels: ((f[2]! & 0x01) << 2) | (f[3]! >> 6),
  });
  const first = config(framed[0]!);
  const frames = framed.map((f, i) => {
    const c = config(f);
    if (
      c.objectType !== first.objectType ||
      c.frequencyIndex !== first.frequencyIndex ||
      c.channels !== first.channels
    )
      throw new CutlineError('RENDER_FAILED', `reference join: AAC frame ${i} changes the stream's format`);
    // protection_absent = 0: a 2-byte CRC follows the 7-byte header.
    const header = f[1]! & 0x01 ? 7 : 9;
    if ((f[6]! & 0x03) !== 0)
      throw new CutlineError('RENDER_FAILED', `reference join: AAC frame ${i} packs several raw blocks`);
    return Buffer.from(f.subarray(header));
  });
  const sampleRate = RATES[first.frequencyIndex];
  if (!sampleRate || first.channels === 0)
    throw new CutlineError(
      'RENDER_FAILED',
      'reference join: the AAC stream names no sample rate or channel layout',
    );
  return { frames, sampleRate, ...first };
}

/** The two-byte AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) of the stream. */
export const audioSpecificConfig = (a: AacFrames): Buffer =>
  u16((a.objectType << 11) | (a.frequencyIndex << 7) | (a.channels << 3));

/** An MPEG-4 descriptor with its length written in four 7-bit groups, as ffmpeg writes them. */
const descriptor = (tag: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  const n = body.length;
  return Buffer.concat([
    u8(tag),
    Buffer.from([0x80 | ((n >> 21) & 0x7f), 0x80 | ((n >> 14) & 0x7f), 0x80 | ((n >> 7) & 0x7f), n & 0x7f]),
    body,
  ]);
};

export interface Bitrates {
  bufferSize: number;
  max: number;
  avg: number;
}

/** The mp4a sample entry with its esds (ES, decoder config, the AudioSpecificConfig) and btrt. */
export function mp4aEntry(a: AacFrames, trackId: number, rates: Bitrates): Buffer {
  const esds = fullBox(
    'esds',
    0,
    0,
    descriptor(
      0x03,
      u16(trackId),
      u8(0),
      descriptor(
        0x04,
        u8(0x40), // Audio ISO/IEC 14496-3
        u8(0x15), // audio stream (0x05 << 2) | reserved 1
        Buffer.from([
          (rates.bufferSize >> 16) & 0xff,
          (rates.bufferSize >> 8) & 0xff,
          rates.bufferSize & 0xff,
        ]),
        u32(rates.max),
        u32(rates.avg),
        descriptor(0x05, audioSpecificConfig(a)),
      ),
      descriptor(0x06, u8(0x02)),
    ),
  );
  const btrt = box('btrt', u32(rates.bufferSize), u32(rates.max), u32(rates.avg));
  return box(
    'mp4a',
    Buffer.alloc(6),
    u16(1), // data reference index
    Buffer.alloc(8),
    u16(a.channels),
    u16(16),
    u16(0),
    u16(0),
    u32(a.sampleRate * 65536),
    esds,
    btrt,
  );
}

/**
 * A track's bitrates as the MP4 muxer reports them: the average over its duration, the maximum over
 * any one-second window (sample by sample, as ffmpeg's movenc counts it), no decoder buffer size.
 */
export function bitrates(
  sizes: readonly number[],
  durations: readonly number[],
  timescale: number,
): Bitrates {
  let total = 0;
  let time = 0;
  for (let i = 0; i < sizes.length; i++) {
    total += sizes[i]!;
    time += durations[i]!;
  }
  let max = 0;
  let windowBits = 0;
  let from = 0;
  let t = 0;
  const starts: number[] = [];
  for (let i = 0; i < sizes.length; i++) {
    starts.push(t);
    windowBits += sizes[i]! * 8;
    while (t - starts[from]! >= timescale) windowBits -= sizes[from++]! * 8;
    max = Math.max(max, windowBits);
    t += durations[i]!;
  }
  const avg = time > 0 ? Math.floor((total * 8 * timescale) / time) : 0;
  return { bufferSize: 0, max: Math.max(max, avg), avg };
}
