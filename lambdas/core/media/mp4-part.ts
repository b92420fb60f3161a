import { CutlineError } from '../errors.js';
import {
  bytesOf,
  childAt,
  childrenOf,
  findChild,
  fullBoxOf,
  payloadOf,
  readBoxes,
  type Box,
} from './mp4-box.js';

/**
 * One chunk part (renderChunk, `part: true`: video only, no faststart) as the reference join needs it:
 * the boxes it copies into the joined file's moov, its sample tables, and where its media bytes lie.
 * Parsed from the part's ftyp and moov alone (the Lambda reads only those with ranged GETs).
 */
export interface VideoPart {
  name: string;
  ftyp: Buffer;
  movieTimescale: number;
  mediaTimescale: number;
  /** Whole boxes of part 0 reused as they are (durations patched): mvhd, tkhd, mdhd, hdlr, vmhd, dinf. */
  mvhd: Buffer;
  tkhd: Buffer;
  mdhd: Buffer;
  hdlr: Buffer;
  /** minf's children before stbl (vmhd, dinf), verbatim. */
  minfHead: Buffer[];
  /** The sample description (avcC …) without its btrt, which every part computes for its own bytes. */
  stsd: Buffer;
  width: number;
  height: number;
  /** The edit list's one entry's media time (x264's B-frame delay), or null without an edit list. */
  editMediaTime: number | null;
  /** Sample tables, expanded: durations, composition offsets (null: none), sync samples (null: all). */
  durations: number[];
  compositionOffsets: number[] | null;
  sync: number[] | null;
  /** sdtp: one dependency byte per sample (newer x264 builds mark disposable B-frames), or null. */
  dependencies: Buffer | null;
  sizes: number[];
  /** Chunks: file offset in the part and sample count. */
  chunks: Array<{ offset: number; samples: number }>;
  /** The part's mdat payload, `[start, end)` in the part file: the bytes the join copies. */
  media: { start: number; end: number };
  /** moov's udta (encoder tags), verbatim, if any. */
  udta: Buffer | null;
}

const refuse = (name: string, message: string) =>
  new CutlineError('RENDER_FAILED', `reference join: chunk part ${name}: ${message}`);

/** stbl children the join understands; any other (sdtp, sgpd …) is refused rather than dropped. */
const KNOWN_STBL = new Set(['stsd', 'stts', 'ctts', 'stss', 'sdtp', 'stsc', 'stsz', 'stco', 'co64']);

/**
 * Parses a part from its top-level boxes' bytes. `head` holds ftyp and moov as read from the file, each at
 * its file offset `boxes[i].start` (a map, since the Lambda reads them separately); `mdat` is its header.
 */
export function parseVideoPart(name: string, boxes: readonly Box[], bytes: (b: Box) => Buffer): VideoPart {
  const top = (type: string) => {
    const found = boxes.filter((b) => b.type === type);
    if (found.length !== 1) throw refuse(name, `${found.length} ${type} boxes (one expected)`);
    return found[0]!;
  };
  const ftypBox = top('ftyp');
  const mdat = top('mdat');
  const moovBox = top('moov');
  const moov = bytes(moovBox);
  const root: Box = { type: 'moov', start: 0, size: moov.length, header: moovBox.header };
  const traks = childrenOf(moov, root).filter((b) => b.type === 'trak');
  if (traks.length !== 1) throw refuse(name, `${traks.length} tracks (a video-only part has one)`);
  const trak = traks[0]!;
  const hdlr = childAt(moov, trak, ['mdia', 'hdlr'], name);
  if (payloadOf(moov, hdlr).toString('latin1', 8, 12) !== 'vide')
    throw refuse(name, 'its track is not video');
  const mvhd = childAt(moov, root, ['mvhd'], name);
  const tkhd = childAt(moov, trak, ['tkhd'], name);
  const mdhd = childAt(moov, trak, ['mdia', 'mdhd'], name);
  const minf = childAt(moov, trak, ['mdia', 'minf'], name);
  const stbl = childAt(moov, minf, ['stbl'], name);
  const minfKids = childrenOf(moov, minf);
  const minfHead = minfKids
    .slice(
      0,
      minfKids.findIndex((b) => b.type === 'stbl'),
    )
    .map((b) => bytesOf(moov, b));
  const tables = new Map(childrenOf(moov, stbl).map((b) => [b.type, b]));
  for (const t of tables.keys())
    if (!KNOWN_STBL.has(t)) throw refuse(name, `its sample table has a ${t} box the join does not carry`);
  const table = (type: string) => {
    const b = tables.get(type);
    return b ? fullBoxOf(moov, b) : undefined;
  };
  const mv = fullBoxOf(moov, mvhd);
  const movieTimescale = mv.body.readUInt32BE(mv.version === 1 ? 16 : 8);
  const md = fullBoxOf(moov, mdhd);
  const mediaTimescale = md.body.readUInt32BE(md.version === 1 ? 16 : 8);
  const tk = fullBoxOf(moov, tkhd);
  const tkFixed = tk.body.subarray(tk.body.length - 8);
  const width = tkFixed.readUInt32BE(0) / 65536;
  const height = tkFixed.readUInt32BE(4) / 65536;

  let editMediaTime: number | null = null;
  const edts = findChild(moov, trak, 'edts');
  if (edts) {
    const elst = fullBoxOf(moov, childAt(moov, edts, ['elst'], name));
    const count = elst.body.readUInt32BE(0);
    if (count !== 1) throw refuse(name, `its edit list has ${count} entries (one expected)`);
    editMediaTime = elst.version === 1 ? Number(elst.body.readBigInt64BE(12)) : elst.body.readInt32BE(8);
  }

  const runs = (t: ReturnType<typeof table>, signed: boolean) => {
    const out: number[] = [];
    if (!t) return out;
    const n = t.body.readUInt32BE(0);
    for (let i = 0; i < n; i++) {
      const count = t.body.readUInt32BE(4 + 8 * i);
      const value = signed ? t.body.readInt32BE(8 + 8 * i) : t.body.readUInt32BE(8 + 8 * i);
      for (let k = 0; k < count; k++) out.push(value);
    }
    return out;
  };
  const stts = table('stts');
  const stsz = table('stsz');
  const stsc = table('stsc');
  const stco = table('stco') ?? table('co64');
  if (!stts || !stsz || !stsc || !stco) throw refuse(name, 'its sample table lacks stts, stsz, stsc or stco');
  const durations = runs(stts, false);
  const ctts = table('ctts');
  const compositionOffsets = ctts ? runs(ctts, ctts.version === 1) : null;
  const stss = table('stss');
  const sync = stss
    ? Array.from({ length: stss.body.readUInt32BE(0) }, (_, i) => stss.body.readUInt32BE(4 + 4 * i))
    : null;
  const fixedSize = stsz.body.readUInt32BE(0);
  const sampleCount = stsz.body.readUInt32BE(4);
  const sizes = Array.from({ length: sampleCount }, (_, i) =>
    fixedSize ? fixedSize : stsz.body.readUInt32BE(8 + 4 * i),
  );
  const wide = tables.has('co64');
  const offsets = Array.from({ length: stco.body.readUInt32BE(0) }, (_, i) =>
    wide ? Number(stco.body.readBigUInt64BE(4 + 8 * i)) : stco.body.readUInt32BE(4 + 4 * i),
  );
  const scEntries = Array.from({ length: stsc.body.readUInt32BE(0) }, (_, i) => ({
    first: stsc.body.readUInt32BE(4 + 12 * i),
    samples: stsc.body.readUInt32BE(8 + 12 * i),
    description: stsc.body.readUInt32BE(12 + 12 * i),
  }));
  if (scEntries.some((e) => e.description !== 1))
    throw refuse(name, 'it uses more than one sample description');
  const chunks = offsets.map((offset, i) => {
    const entry = [...scEntries].reverse().find((e) => e.first <= i + 1);
    if (!entry) throw refuse(name, `chunk ${i + 1} has no stsc entry`);
    return { offset, samples: entry.samples };
  });
  if (durations.length !== sampleCount || chunks.reduce((n, c) => n + c.samples, 0) !== sampleCount)
    throw refuse(name, 'its sample tables disagree on the number of samples');
  const sdtp = table('sdtp');
  const dependencies = sdtp ? Buffer.from(sdtp.body) : null;
  if (dependencies && dependencies.length !== sampleCount)
    throw refuse(name, 'its sdtp does not cover every sample');
  if (compositionOffsets && compositionOffsets.length !== sampleCount)
    throw refuse(name, 'its ctts does not cover every sample');
  const media = { start: mdat.start + mdat.header, end: mdat.start + mdat.size };
  // Every sample must lie in the mdat the join copies: the offsets are rebased from it.
  let k = 0;
  for (const c of chunks) {
    let end = c.offset;
    for (let s = 0; s < c.samples; s++) end += sizes[k++]!;
    if (c.offset < media.start || end > media.end) throw refuse(name, 'a sample lies outside its mdat');
  }

  // The sample description without btrt (the bitrate box differs from part to part by design).
  const stsdBox = tables.get('stsd')!;
  const stsdFull = bytesOf(moov, stsdBox);
  return {
    name,
    ftyp: bytes(ftypBox),
    movieTimescale,
    mediaTimescale,
    mvhd: Buffer.from(bytesOf(moov, mvhd)),
    tkhd: Buffer.from(bytesOf(moov, tkhd)),
    mdhd: Buffer.from(bytesOf(moov, mdhd)),
    hdlr: Buffer.from(bytesOf(moov, hdlr)),
    minfHead: minfHead.map((b) => Buffer.from(b)),
    stsd: withoutBtrt(Buffer.from(stsdFull), name),
    width,
    height,
    editMediaTime,
    durations,
    compositionOffsets,
    sync,
    dependencies,
    sizes,
    chunks,
    media,
    udta: (() => {
      const u = findChild(moov, root, 'udta');
      return u ? Buffer.from(bytesOf(moov, u)) : null;
    })(),
  };
}

/** stsd (one visual sample entry) with the entry's btrt child removed and the sizes fixed up. */
function withoutBtrt(stsd: Buffer, name: string): Buffer {
  const [entry, ...more] = readBoxes(stsd, 16, stsd.length, name);
  if (!entry || more.length) throw refuse(name, 'its stsd does not hold exactly one sample entry');
  // A VisualSampleEntry's own fields take 78 bytes before its child boxes (ISO/IEC 14496-12 §12.1.3).
  const kids = readBoxes(stsd, entry.start + 8 + 78, entry.start + entry.size, name);
  const kept = kids.filter((b) => b.type !== 'btrt').map((b) => bytesOf(stsd, b));
  const entryBody = Buffer.concat([stsd.subarray(entry.start + 4, entry.start + 8 + 78), ...kept]);
  const newEntry = Buffer.concat([Buffer.alloc(4), entryBody]);
  newEntry.writeUInt32BE(newEntry.length);
  const out = Buffer.concat([stsd.subarray(0, 16), newEntry]);
  out.writeUInt32BE(out.length);
  return out;
}

/** A part read from a whole file in memory (local files, tests). */
export function parseVideoPartFile(name: string, file: Buffer): VideoPart {
  const boxes = readBoxes(file, 0, file.length, name);
  return parseVideoPart(name, boxes, (b) => file.subarray(b.start, b.start + b.size));
}
