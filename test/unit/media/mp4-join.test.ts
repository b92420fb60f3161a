import { describe, expect, it } from 'vitest';
import { framesWithPriming } from '../../../lambdas/core/media/aac-track.js';
import {
  box,
  childrenOf,
  findChild,
  fullBox,
  latin1,
  readBoxes,
  u32,
  type Box,
} from '../../../lambdas/core/media/mp4-box.js';
import { joinLayout } from '../../../lambdas/core/media/mp4-join.js';
import type { VideoPart } from '../../../lambdas/core/media/mp4-part.js';

/**
 * The joiner on synthetic parts (no files): the tables it writes for an hour of 200 parts, 64-bit
 * offsets past 4 GiB, and its refusals. The real-media proofs are in
 * test/integration/render/reference-join.test.ts.
 */
const FRAMES = 450;
const stsd = fullBox(
  'stsd',
  0,
  0,
  u32(1),
  box('avc1', Buffer.alloc(78), box('avcC', Buffer.from([1, 100, 0, 12]))),
);

function part(name: string, mediaBytes: number, frames = FRAMES): VideoPart {
  const sizes = Array.from({ length: frames }, () => Math.floor(mediaBytes / frames));
  sizes[frames - 1] = mediaBytes - sizes[0]! * (frames - 1);
  const full = (type: string, v0: number) => fullBox(type, 0, 0, Buffer.alloc(v0));
  return {
    name,
    ftyp: box('ftyp', latin1('isom'), u32(512), latin1('isomiso2avc1mp41')),
    movieTimescale: 1000,
    mediaTimescale: 15360,
    mvhd: (() => {
      const b = full('mvhd', 96);
      b.writeUInt32BE(1000, 20);
      return b;
    })(),
    tkhd: full('tkhd', 80),
    mdhd: full('mdhd', 20),
    hdlr: fullBox('hdlr', 0, 0, u32(0), latin1('vide'), Buffer.alloc(12), latin1('VideoHandler\0')),
    minfHead: [
      fullBox('vmhd', 0, 1, Buffer.alloc(8)),
      box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
    ],
    stsd,
    width: 1920,
    height: 1080,
    editMediaTime: 1024,
    durations: Array.from({ length: frames }, () => 512),
    compositionOffsets: Array.from({ length: frames }, (_, i) =>
      i % 3 === 0 ? 1024 : i % 3 === 1 ? 2560 : 0,
    ),
    sync: Array.from({ length: Math.ceil(frames / 60) }, (_, i) => 1 + 60 * i),
    dependencies: null,
    sizes,
    chunks: [{ offset: 48, samples: frames }],
    media: { start: 48, end: 48 + mediaBytes },
    udta: null,
  };
}

const aacFor = (totalSamples: number) => ({
  aac: {
    frames: Array.from({ length: framesWithPriming(totalSamples) }, () => Buffer.alloc(500, 1)),
    sampleRate: 48_000,
    channels: 2,
    objectType: 2,
    frequencyIndex: 3,
  },
  totalSamples,
});

/** The head's boxes: ftyp, moov, and the mdat header. */
function head(layout: ReturnType<typeof joinLayout>) {
  const bytes = (layout.segments[0] as { bytes: Buffer }).bytes;
  const mdatHeader = layout.size - layout.headBytes + 8 > 0xffff_ffff ? 16 : 8;
  const [, moov] = readBoxes(bytes, 0, bytes.length - mdatHeader);
  return { bytes, moov: moov! };
}
const path = (b: Buffer, from: Box, types: string[]) => {
  let at: Box | undefined = from;
  for (const t of types) at = at && findChild(b, at, t);
  return at!;
};

describe('joinLayout', () => {
  it('an hour: 200 parts of 450 frames and their AAC in one moov, sample tables whole', () => {
    const parts = Array.from({ length: 200 }, (_, i) => part(String(i), 1_000_000));
    const layout = joinLayout(parts, aacFor(3600 * 48_000));
    const { bytes, moov } = head(layout);
    const traks = childrenOf(bytes, moov).filter((b) => b.type === 'trak');
    expect(traks).toHaveLength(2);
    const stbl = path(bytes, traks[0]!, ['mdia', 'minf', 'stbl']);
    const stsz = findChild(bytes, stbl, 'stsz')!;
    expect(bytes.readUInt32BE(stsz.start + 16)).toBe(200 * FRAMES);
    const stss = findChild(bytes, stbl, 'stss')!;
    expect(bytes.readUInt32BE(stss.start + 12)).toBe(200 * 8);
    // Part 1's first sync sample follows part 0's 450 samples.
    expect(bytes.readUInt32BE(stss.start + 16 + 8 * 4)).toBe(FRAMES + 1);
    expect(findChild(bytes, stbl, 'stco')).toBeDefined();
    // Audio: every frame in stsz, the movie as long as the hour.
    const astsz = findChild(bytes, path(bytes, traks[1]!, ['mdia', 'minf', 'stbl']), 'stsz')!;
    expect(bytes.readUInt32BE(astsz.start + 16)).toBe(framesWithPriming(3600 * 48_000));
    const mvhd = findChild(bytes, moov, 'mvhd')!;
    expect(bytes.readUInt32BE(mvhd.start + 24)).toBe(3_600_000);
    expect(layout.videoBytes).toBe(200 * 1_000_000);
    // Audio blocks of ≥ 5 MiB ahead of their parts: about one per 3.6 min of 500-byte frames.
    const blocks = layout.segments.slice(1).filter((s) => 'bytes' in s);
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks.slice(0, -1))
      expect((b as { bytes: Buffer }).bytes.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });

  it('past 4 GiB: chunk offsets in co64 and a 64-bit mdat header', () => {
    const parts = Array.from({ length: 3 }, (_, i) => part(String(i), 1.6e9));
    const layout = joinLayout(parts, null);
    expect(layout.size).toBeGreaterThan(2 ** 32);
    const bytes = (layout.segments[0] as { bytes: Buffer }).bytes;
    const mdat = bytes.subarray(bytes.length - 16);
    expect(mdat.readUInt32BE(0)).toBe(1);
    expect(mdat.toString('latin1', 4, 8)).toBe('mdat');
    expect(Number(mdat.readBigUInt64BE(8))).toBe(layout.size - (layout.headBytes - 16));
    const [, moov] = readBoxes(bytes, 0, bytes.length - 16);
    const stbl = path(bytes, path(bytes, moov!, ['trak']), ['mdia', 'minf', 'stbl']);
    const co64 = findChild(bytes, stbl, 'co64')!;
    expect(findChild(bytes, stbl, 'stco')).toBeUndefined();
    // Part 2's chunk starts after the head and two parts' media.
    expect(Number(bytes.readBigUInt64BE(co64.start + 16 + 16))).toBe(layout.headBytes + 2 * 1.6e9);
  });

  it('carries sdtp (one dependency byte per sample) part after part', () => {
    const parts = [0, 1].map((i) => ({
      ...part(String(i), 10_000, 30),
      dependencies: Buffer.alloc(30, 0x10 + i),
    }));
    const { bytes, moov } = head(joinLayout(parts, null));
    const sdtp = findChild(bytes, path(bytes, path(bytes, moov, ['trak']), ['mdia', 'minf']), 'stbl')!;
    const box_ = findChild(bytes, sdtp, 'sdtp')!;
    const body = bytes.subarray(box_.start + 12, box_.start + box_.size);
    expect([...body]).toEqual([...Array(30).fill(0x10), ...Array(30).fill(0x11)]);
    expect(() => joinLayout([parts[0]!, part('2', 10_000, 30)], null)).toThrow(
      /chunk part 2 has a different use of sdtp/,
    );
  });

  it('refuses parts that differ from the first, and audio of the wrong length, loudly', () => {
    const other = { ...part('1', 1000), mediaTimescale: 30000 };
    expect(() => joinLayout([part('0', 1000), other], null)).toThrow(
      /chunk part 1 has a different media timescale from 0/,
    );
    const taller = { ...part('2', 1000), height: 720 };
    expect(() => joinLayout([part('0', 1000), taller], null)).toThrow(
      /chunk part 2 has a different resolution/,
    );
    const audio = aacFor(48_000);
    audio.aac.frames.pop();
    expect(() => joinLayout([part('0', 1000)], audio)).toThrow(
      /47 AAC frames; 48 are needed for 48000 samples/,
    );
    expect(() => joinLayout([], null)).toThrow(/no chunk parts/);
  });
});
