import { CutlineError } from '../errors.js';
import {
  AAC_FRAME_SAMPLES as AAC_FRAME,
  bitrates,
  framesWithPriming as joinedFrames,
  mp4aEntry,
  type AacFrames,
  type Bitrates,
} from './aac-track.js';
import { box, boxHeader, bytesOf, childrenOf, fullBox, i32, latin1, readBoxes, u16, u32 } from './mp4-box.js';
import type { VideoPart } from './mp4-part.js';

/**
 * The reference join: chunk parts (video-only MP4s from one encoder setup, closed GOPs) and the joined AAC
 * frames become one faststart MP4 without moving the video bytes. The result is a *layout*: new bytes
 * (ftyp, moov, the mdat header, the audio) and byte ranges of the parts, whose concatenation is the file.
 * Locally the ranges are copied from the part files; in AWS they become UploadPartCopy calls, so the
 * video never passes through the function.
 *
 * Interleaving: S3 multipart parts must be ≥ 5 MiB (all but the last), so the audio cannot sit between
 * every video chunk. It goes in blocks of at least `audioBlockBytes` (5 MiB by default, ~3.6 min of
 * 192 kb/s AAC), each placed just before the video parts it plays with: a group of consecutive parts
 * is closed once the audio presented during it reaches the block size. A reader playing from the start
 * finds each stretch's audio at most one block ahead of its video; a seek lands in a group whose audio is
 * right before it.
 */
export type Segment = { bytes: Buffer } | { part: number; start: number; end: number };

export interface JoinLayout {
  segments: Segment[];
  /** The joined file's size. */
  size: number;
  /** Where the head (ftyp + moov + mdat header) ends, and the video byte count (copied, not moved). */
  headBytes: number;
  videoBytes: number;
  audioBytes: number;
}

export interface JoinAudio {
  aac: AacFrames;
  /** The rendition's audio length in samples (the last frame is partial). */
  totalSamples: number;
}

export interface JoinOptions {
  /** `output.metadata` (title, comment), written as ffmpeg's `-metadata` writes them (ilst ©nam, ©cmt). */
  metadata?: { title?: string; comment?: string };
  audioBlockBytes?: number;
}

const MiB = 1024 * 1024;
const MAX32 = 0xffff_ffff;

const refuse = (message: string) => new CutlineError('RENDER_FAILED', `reference join: ${message}`);

/** Consecutive equal values as [count, value] runs (stts, ctts). */
function runs(values: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[1] === v) last[0]++;
    else out.push([1, v]);
  }
  return out;
}

/** A table of 32-bit words (or 64-bit offsets) written into one buffer: an hour has 10⁵ entries. */
function words(
  count: number,
  perEntry: number,
  write: (b: Buffer, i: number, at: number) => void,
  head: number[] = [],
) {
  const b = Buffer.alloc(4 * head.length + 4 + count * perEntry);
  head.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  const start = 4 * head.length;
  b.writeUInt32BE(count, start);
  for (let i = 0; i < count; i++) write(b, i, start + 4 + i * perEntry);
  return b;
}

const runTable = (type: string, version: number, r: ReadonlyArray<[number, number]>) =>
  fullBox(
    type,
    version,
    0,
    words(r.length, 8, (b, i, at) => {
      b.writeUInt32BE(r[i]![0], at);
      if (version) b.writeInt32BE(r[i]![1], at + 4);
      else b.writeUInt32BE(r[i]![1], at + 4);
    }),
  );

interface TrackTables {
  durations: number[];
  compositionOffsets: number[] | null;
  sync: number[] | null;
  dependencies?: Buffer[] | null;
  sizes: number[];
  /** Offsets from the mdat payload's start, and sample counts. */
  chunks: Array<{ at: number; samples: number }>;
}

function sampleTable(
  stsd: Buffer,
  t: TrackTables,
  base: number,
  wide: boolean,
  extra: Buffer[] = [],
): Buffer {
  const sc: Array<[number, number]> = [];
  t.chunks.forEach((c, i) => {
    if (sc[sc.length - 1]?.[1] !== c.samples) sc.push([i + 1, c.samples]);
  });
  const fixed = t.sizes.every((s) => s === t.sizes[0]) ? (t.sizes[0] ?? 0) : 0;
  const offsets = t.chunks.map((c) => base + c.at);
  const ctts = t.compositionOffsets;
  const sizes = t.sizes;
  return box(
    'stbl',
    stsd,
    runTable('stts', 0, runs(t.durations)),
    ...(t.sync
      ? [
          fullBox(
            'stss',
            0,
            0,
            words(t.sync.length, 4, (b, i, at) => b.writeUInt32BE(t.sync![i]!, at)),
          ),
        ]
      : []),
    ...(ctts ? [runTable('ctts', ctts.some((v) => v < 0) ? 1 : 0, runs(ctts))] : []),
    ...(t.dependencies ? [fullBox('sdtp', 0, 0, Buffer.concat(t.dependencies))] : []),
    fullBox(
      'stsc',
      0,
      0,
      words(sc.length, 12, (b, i, at) => {
        b.writeUInt32BE(sc[i]![0], at);
        b.writeUInt32BE(sc[i]![1], at + 4);
        b.writeUInt32BE(1, at + 8);
      }),
    ),
    fullBox(
      'stsz',
      0,
      0,
      fixed
        ? Buffer.concat([u32(fixed), u32(sizes.length)])
        : words(sizes.length, 4, (b, i, at) => b.writeUInt32BE(sizes[i]!, at), [0]),
    ),
    wide
      ? fullBox(
          'co64',
          0,
          0,
          words(offsets.length, 8, (b, i, at) => b.writeBigUInt64BE(BigInt(offsets[i]!), at)),
        )
      : fullBox(
          'stco',
          0,
          0,
          words(offsets.length, 4, (b, i, at) => b.writeUInt32BE(offsets[i]!, at)),
        ),
    ...extra,
  );
}

/** `value × to / from`, rounded up (ffmpeg rescales track durations to the movie timescale that way). */
const rescaleUp = (value: number, to: number, from: number) => Math.ceil((value * to) / from);

/** A copy of a version-0/1 full box with the duration field at `v0`/`v1` (bytes into the box) set. */
function withDuration(boxBytes: Buffer, v0: number, v1: number, duration: number, what: string): Buffer {
  const out = Buffer.from(boxBytes);
  if (out[8] === 1) out.writeBigUInt64BE(BigInt(duration), v1);
  else {
    if (duration > MAX32) throw refuse(`the ${what} duration ${duration} does not fit a version-0 box`);
    out.writeUInt32BE(duration, v0);
  }
  return out;
}

/** stsd whose one sample entry gets `btrt` appended (sizes fixed up). */
function withBtrt(stsd: Buffer, rates: Bitrates): Buffer {
  const btrt = box('btrt', u32(rates.bufferSize), u32(rates.max), u32(rates.avg));
  const out = Buffer.concat([stsd, btrt]);
  out.writeUInt32BE(out.length, 0);
  out.writeUInt32BE(out.readUInt32BE(16) + btrt.length, 16);
  return out;
}

/** udta as ffmpeg writes it for `-metadata title=… comment=…`: ilst ©nam, the encoder tag(s), ©cmt. */
function userData(part0: VideoPart, metadata: JoinOptions['metadata']): Buffer | null {
  const item = (type: string, value: string) =>
    box(type, box('data', u32(1), u32(0), Buffer.from(value, 'utf8')));
  let hdlr = fullBox('hdlr', 0, 0, u32(0), latin1('mdirappl'), Buffer.alloc(9));
  let kept: Buffer[] = [];
  if (part0.udta) {
    const u = part0.udta;
    const meta = readBoxes(u, 8, u.length, part0.name).find((b) => b.type === 'meta');
    if (meta) {
      const kids = childrenOf(u, meta, 4, part0.name);
      const h = kids.find((b) => b.type === 'hdlr');
      if (h) hdlr = Buffer.from(bytesOf(u, h));
      const ilst = kids.find((b) => b.type === 'ilst');
      if (ilst)
        kept = childrenOf(u, ilst, 0, part0.name)
          .filter((b) => b.type !== '\u00a9nam' && b.type !== '\u00a9cmt')
          .map((b) => Buffer.from(bytesOf(u, b)));
    }
  }
  const items = [
    ...(metadata?.title !== undefined ? [item('\u00a9nam', metadata.title)] : []),
    ...kept,
    ...(metadata?.comment !== undefined ? [item('\u00a9cmt', metadata.comment)] : []),
  ];
  if (!items.length) return null;
  return box('udta', fullBox('meta', 0, 0, hdlr, box('ilst', ...items)));
}

/** Refuses parts that cannot share one sample description and timeline with part 0. */
function checkParts(parts: readonly VideoPart[]): void {
  const first = parts[0]!;
  for (const p of parts.slice(1)) {
    const differs = (what: string) =>
      refuse(`chunk part ${p.name} has a different ${what} from ${first.name}; it cannot share one track`);
    if (!p.stsd.equals(first.stsd)) throw differs('sample description (codec, avcC, resolution)');
    if (p.mediaTimescale !== first.mediaTimescale) throw differs('media timescale');
    if (p.movieTimescale !== first.movieTimescale) throw differs('movie timescale');
    if (p.width !== first.width || p.height !== first.height) throw differs('resolution');
    if (p.editMediaTime !== first.editMediaTime) throw differs('edit list (B-frame delay)');
    if ((p.compositionOffsets === null) !== (first.compositionOffsets === null))
      throw differs('use of composition offsets (B-frames)');
    if ((p.dependencies === null) !== (first.dependencies === null)) throw differs('use of sdtp');
    if (!p.ftyp.equals(first.ftyp)) throw differs('file type (ftyp)');
  }
}

/**
 * Pure: the joined file's layout from the parts (in order) and the joined audio. Checks that the parts
 * match (one sample description, timescale, resolution, edit) and that the audio has exactly the
 * frames its length needs, and fails loudly naming the part otherwise.
 */
export function joinLayout(
  parts: readonly VideoPart[],
  audio: JoinAudio | null,
  opts: JoinOptions = {},
): JoinLayout {
  if (!parts.length) throw refuse('there are no chunk parts to join');
  checkParts(parts);
  const p0 = parts[0]!;
  const ts = p0.mediaTimescale;
  const movieTs = p0.movieTimescale;

  // Audio frames, their durations (priming frame first, the last one partial) and presentation starts.
  let audioSizes: number[] = [];
  let audioDurations: number[] = [];
  if (audio) {
    const want = joinedFrames(audio.totalSamples);
    if (audio.aac.frames.length !== want)
      throw refuse(
        `the audio has ${audio.aac.frames.length} AAC frames; ${want} are needed for ${audio.totalSamples} samples`,
      );
    audioSizes = audio.aac.frames.map((f) => f.length);
    const rest = audio.totalSamples - (want - 2) * AAC_FRAME;
    audioDurations = audioSizes.map((_, i) => (i === want - 1 ? rest : AAC_FRAME));
  }

  // Groups of parts, each after the audio it plays with (see the comment at the top).
  const blockBytes = opts.audioBlockBytes ?? 5 * MiB;
  const partStart: number[] = [];
  let t = 0;
  for (const p of parts) {
    partStart.push(t);
    for (const d of p.durations) t += d;
  }
  const videoDuration = t;
  type Group = { parts: number[]; frames: [number, number] };
  const groups: Group[] = [];
  let nextFrame = 0;
  let open: Group = { parts: [], frames: [0, 0] };
  for (let i = 0; i < parts.length; i++) {
    open.parts.push(i);
    const last = i === parts.length - 1;
    // Frames presented before the next part starts: frame k covers samples from (k − 1) × 1024.
    const until = last ? Infinity : partStart[i + 1]! / ts;
    let end = nextFrame;
    while (end < audioSizes.length && (last || ((end - 1) * AAC_FRAME) / audio!.aac.sampleRate < until))
      end++;
    open.frames[1] = end;
    nextFrame = end;
    let bytes = 0;
    for (let k = open.frames[0]; k < end; k++) bytes += audioSizes[k]!;
    if (last || bytes >= blockBytes) {
      groups.push(open);
      open = { parts: [], frames: [end, end] };
    }
  }

  // Where everything lies in the mdat payload.
  const video: TrackTables = {
    durations: [],
    compositionOffsets: p0.compositionOffsets ? [] : null,
    dependencies: p0.dependencies ? [] : null,
    sync: p0.sync ? [] : null,
    sizes: [],
    chunks: [],
  };
  const aud: TrackTables = {
    durations: audioDurations,
    compositionOffsets: null,
    sync: null,
    sizes: audioSizes,
    chunks: [],
  };
  const body: Segment[] = [];
  let at = 0;
  let audioBytes = 0;
  let videoBytes = 0;
  for (const g of groups) {
    const [from, to] = g.frames;
    if (to > from) {
      const block = Buffer.concat(audio!.aac.frames.slice(from, to));
      body.push({ bytes: block });
      // Chunks of about a second within the block, so a reader's requests stay small.
      let k = from;
      let pos = at;
      while (k < to) {
        const start = k;
        let samples = 0;
        let bytes = 0;
        while (k < to && samples < audio!.aac.sampleRate) {
          samples += audioDurations[k]!;
          bytes += audioSizes[k]!;
          k++;
        }
        aud.chunks.push({ at: pos, samples: k - start });
        pos += bytes;
      }
      at += block.length;
      audioBytes += block.length;
    }
    for (const i of g.parts) {
      const p = parts[i]!;
      const first = video.sizes.length;
      body.push({ part: i, start: p.media.start, end: p.media.end });
      for (const c of p.chunks)
        video.chunks.push({ at: at + (c.offset - p.media.start), samples: c.samples });
      video.durations.push(...p.durations);
      video.sizes.push(...p.sizes);
      if (video.compositionOffsets) video.compositionOffsets.push(...p.compositionOffsets!);
      if (video.dependencies) video.dependencies.push(p.dependencies!);
      if (video.sync) {
        if (!p.sync) throw refuse(`chunk part ${p.name} lists no sync samples while ${p0.name} does`);
        video.sync.push(...p.sync.map((s) => s + first));
      }
      at += p.media.end - p.media.start;
      videoBytes += p.media.end - p.media.start;
    }
  }
  const payload = at;

  // Durations: media time in each track's timescale, presentation time in the movie's.
  const videoPresented = rescaleUp(videoDuration, movieTs, ts);
  const audioMedia = audioDurations.reduce((a, b) => a + b, 0);
  const audioPresented = audio ? rescaleUp(audio.totalSamples, movieTs, audio.aac.sampleRate) : 0;
  const trackCount = audio ? 2 : 1;
  const mvhd = withDuration(p0.mvhd, 24, 32, Math.max(videoPresented, audioPresented), 'movie');
  mvhd.writeUInt32BE(trackCount + 1, mvhd.length - 4);
  const dinf = p0.minfHead.find((b) => b.toString('latin1', 4, 8) === 'dinf');
  if (!dinf) throw refuse(`chunk part ${p0.name} has no dinf box`);
  const elst = (presented: number, mediaTime: number) =>
    box('edts', fullBox('elst', 0, 0, u32(1), u32(presented), i32(mediaTime), u16(1), u16(0)));
  const language = p0.mdhd.subarray(p0.mdhd.length - 4, p0.mdhd.length - 2);

  // What does not depend on where the samples lie is built once.
  const videoStsd = withBtrt(p0.stsd, bitrates(video.sizes, video.durations, ts));
  const audioEntry = audio
    ? mp4aEntry(audio.aac, 2, bitrates(audioSizes, audioDurations, audio.aac.sampleRate))
    : null;
  const moovWith = (base: number, wide: boolean) => {
    const videoTrak = box(
      'trak',
      withDuration(p0.tkhd, 28, 36, videoPresented, 'video track'),
      ...(p0.editMediaTime !== null ? [elst(videoPresented, p0.editMediaTime)] : []),
      box(
        'mdia',
        withDuration(p0.mdhd, 24, 32, videoDuration, 'video media'),
        p0.hdlr,
        box('minf', ...p0.minfHead, sampleTable(videoStsd, video, base, wide)),
      ),
    );
    const tracks = [videoTrak];
    if (audio) {
      const rate = audio.aac.sampleRate;
      const identity = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);
      // AAC's pre-roll: every frame needs the one before it to decode (roll distance −1), as ffmpeg marks it.
      const roll = [
        fullBox('sgpd', 1, 0, latin1('roll'), u32(2), u32(1), u16(0xffff)),
        fullBox('sbgp', 0, 0, latin1('roll'), u32(1), u32(audioSizes.length), u32(1)),
      ];
      tracks.push(
        box(
          'trak',
          fullBox(
            'tkhd',
            0,
            3,
            u32(0),
            u32(0),
            u32(2),
            u32(0),
            u32(audioPresented),
            Buffer.alloc(8),
            u16(0),
            u16(1),
            u16(0x0100),
            u16(0),
            ...identity,
            u32(0),
            u32(0),
          ),
          // The priming frame is not presented: the edit starts one frame into the media.
          elst(audioPresented, AAC_FRAME),
          box(
            'mdia',
            fullBox('mdhd', 0, 0, u32(0), u32(0), u32(rate), u32(audioMedia), language, u16(0)),
            fullBox('hdlr', 0, 0, u32(0), latin1('soun'), Buffer.alloc(12), latin1('SoundHandler\0')),
            box(
              'minf',
              fullBox('smhd', 0, 0, u16(0), u16(0)),
              dinf,
              sampleTable(fullBox('stsd', 0, 0, u32(1), audioEntry!), aud, base, wide, roll),
            ),
          ),
        ),
      );
    }
    const udta = userData(p0, opts.metadata);
    return box('moov', mvhd, ...tracks, ...(udta ? [udta] : []));
  };

  // The moov's size does not depend on the offsets it holds, only on stco vs co64: measure, then build.
  const probe = moovWith(0, false);
  const wide = p0.ftyp.length + probe.length + 16 + payload > MAX32;
  const size0 = wide ? moovWith(0, true).length : probe.length;
  const mdatHeader = boxHeader('mdat', payload);
  const base = p0.ftyp.length + size0 + mdatHeader.length;
  const moov = moovWith(base, wide);
  if (moov.length !== size0) throw refuse('the moov changed size between its two builds');
  const head = Buffer.concat([p0.ftyp, moov, mdatHeader]);
  return {
    segments: [{ bytes: head }, ...body],
    size: head.length + payload,
    headBytes: head.length,
    videoBytes,
    audioBytes,
  };
}
