import { CutlineError } from '../errors.js';

/**
 * ISO BMFF (MP4) boxes, read and written: `size` (32 bits, or 1 and a 64-bit size after the type, or 0
 * for "to the end"), a four-character type, then the payload. Enough for the reference join
 * (media/mp4-join.ts): find boxes, read full-box tables, build new ones. Offsets are into the buffer.
 */
export interface Box {
  type: string;
  /** Where the box starts, its whole size and its header's size (8 or 16). */
  start: number;
  size: number;
  header: number;
}

const bad = (what: string, message: string) => new CutlineError('RENDER_FAILED', `${what}: ${message}`);

/** The boxes laid end to end in `buf[from, to)`. */
export function readBoxes(buf: Buffer, from = 0, to = buf.length, what = 'mp4'): Box[] {
  const out: Box[] = [];
  let at = from;
  while (at < to) {
    if (at + 8 > to) throw bad(what, `a box header is cut at byte ${at}`);
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) throw bad(what, `a 64-bit box header is cut at byte ${at}`);
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) throw bad(what, `box ${type} at byte ${at} runs past its parent`);
    out.push({ type, start: at, size, header });
    at += size;
  }
  return out;
}

/** The children of a container box (`skip`: bytes of the container's own fields before them). */
export const childrenOf = (buf: Buffer, parent: Box, skip = 0, what = 'mp4'): Box[] =>
  readBoxes(buf, parent.start + parent.header + skip, parent.start + parent.size, what);

/** The one child of `type`; undefined when there is none. */
export const findChild = (buf: Buffer, parent: Box, type: string, skip = 0): Box | undefined =>
  childrenOf(buf, parent, skip).find((b) => b.type === type);

/** The child at a path of types (`['trak', 'mdia', 'minf']`), or a loud error naming what is missing. */
export function childAt(buf: Buffer, parent: Box, path: readonly string[], what: string): Box {
  let at = parent;
  for (const type of path) {
    const next = findChild(buf, at, type);
    if (!next) throw bad(what, `no ${path.join('/')} box (${type} is missing)`);
    at = next;
  }
  return at;
}

/** The payload of a box (after its header). */
export const payloadOf = (buf: Buffer, b: Box): Buffer => buf.subarray(b.start + b.header, b.start + b.size);
/** The whole box, header included. */
export const bytesOf = (buf: Buffer, b: Box): Buffer => buf.subarray(b.start, b.start + b.size);

/** A full box's version, and the payload after version and flags. */
export function fullBoxOf(buf: Buffer, b: Box): { version: number; flags: number; body: Buffer } {
  const p = payloadOf(buf, b);
  return { version: p[0]!, flags: p.readUIntBE(1, 3), body: p.subarray(4) };
}

export const u8 = (n: number) => Buffer.from([n & 0xff]);
export const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
export const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
export const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
export const latin1 = (s: string) => Buffer.from(s, 'latin1');

const MAX32 = 0xffff_ffff;

/** A box with a 32-bit size; a box of 4 GiB or more is written with a 64-bit size. */
export function box(type: string, ...parts: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  if (body.length + 8 > MAX32) return Buffer.concat([u32(1), latin1(type), u64(body.length + 16), body]);
  return Buffer.concat([u32(body.length + 8), latin1(type), body]);
}

export const fullBox = (type: string, version: number, flags: number, ...parts: readonly Uint8Array[]) =>
  box(type, u8(version), Buffer.from([(flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff]), ...parts);

/** The header of a box whose `payloadBytes` follow elsewhere (mdat): 8 bytes, or 16 from 4 GiB on. */
export const boxHeader = (type: string, payloadBytes: number): Buffer =>
  payloadBytes + 8 > MAX32
    ? Buffer.concat([u32(1), latin1(type), u64(payloadBytes + 16)])
    : Buffer.concat([u32(payloadBytes + 8), latin1(type)]);

/**
 * The top-level boxes of a file that is only read in ranges (an S3 object): each box's header is read
 * where the one before ends, so a part written without faststart (mdat before moov) costs one small read
 * per box, not the whole file.
 */
export async function scanTopLevel(
  read: (start: number, length: number) => Promise<Buffer>,
  fileSize: number,
  what: string,
): Promise<Box[]> {
  const out: Box[] = [];
  let at = 0;
  while (at < fileSize) {
    const head = await read(at, Math.min(16, fileSize - at));
    if (head.length < 8) throw bad(what, `a box header is cut at byte ${at}`);
    let size = head.readUInt32BE(0);
    let header = 8;
    if (size === 1) {
      if (head.length < 16) throw bad(what, `a 64-bit box header is cut at byte ${at}`);
      size = Number(head.readBigUInt64BE(8));
      header = 16;
    } else if (size === 0) size = fileSize - at;
    const type = head.toString('latin1', 4, 8);
    if (size < header || at + size > fileSize)
      throw bad(what, `box ${type} at byte ${at} runs past the file`);
    out.push({ type, start: at, size, header });
    at += size;
  }
  return out;
}
