import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, crc32, createDeflate } from 'node:zlib';
import { FIXTURES } from './fixtures.js';
import { ffmpeg } from './media.js';

async function cached(name: string, make: (tmp: string) => Promise<void>): Promise<string> {
  const path = join(FIXTURES, name);
  if (!existsSync(path)) {
    await mkdir(FIXTURES, { recursive: true });
    const tmp = `${path}.tmp${process.pid}${name.slice(name.lastIndexOf('.'))}`;
    await make(tmp);
    await rename(tmp, path);
  }
  return path;
}

/**
 * A valid 8-bit grayscale PNG of any size, written directly: ffmpeg itself refuses to make a frame of
 * 20000×20000 ("Picture size 20000x20000 is invalid"), so this is the only way to have one to refuse.
 * Zero rows deflate to ~400 kB.
 */
export const hugePng = (width: number, height: number) =>
  cached(`huge-${width}x${height}.png`, async (tmp) => {
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body) >>> 0);
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth; colour type 0 (gray), deflate, no filter, no interlace
    // Row by row (each: filter byte 0, then zero pixels), so 400 MB of pixels never sit in memory.
    const deflate = createDeflate({ level: constants.Z_BEST_COMPRESSION });
    const parts: Buffer[] = [];
    deflate.on('data', (b: Buffer) => parts.push(b));
    const row = Buffer.alloc(width + 1);
    for (let y = 0; y < height; y++)
      if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
    const ended = new Promise((r) => deflate.once('end', r));
    deflate.end();
    await ended;
    const idat = Buffer.concat(parts);
    await writeFile(
      tmp,
      Buffer.concat([
        Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
        chunk('IHDR', ihdr),
        chunk('IDAT', idat),
        chunk('IEND', Buffer.alloc(0)),
      ]),
    );
  });

/** An enormous picture ffmpeg can still make: 9000×9000 gray (81 MP). */
export const ffmpegHugePng = () =>
  cached('ffmpeg-9000x9000.png', (tmp) =>
    ffmpeg(['-f', 'lavfi', '-i', 'color=black:s=9000x9000', '-frames:v', '1', '-pix_fmt', 'gray', tmp]),
  );

/** A long source: `seconds` of 320×180 testsrc2 with a tone, 2 s GOPs, about 0.5 Mbit/s. */
export const longVideo = (seconds: number) =>
  cached(`long-${seconds}s-v2.mp4`, (tmp) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=320x180:r=25:d=${seconds}`,
      '-f',
      'lavfi',
      '-i',
      `sine=f=440:r=48000:d=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      '500k',
      '-g',
      '50',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      tmp,
    ]),
  );
