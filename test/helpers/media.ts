import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Frame {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Buffer;
}

/** Decodes the frame shown at `time` seconds (or the only frame of an image) as RGBA. */
export async function readFrame(file: string, time = 0): Promise<Frame> {
  const probe = await ffprobeJson(file);
  const v = probe.streams.find((s) => s.codec_type === 'video');
  if (!v) throw new Error(`${file} has no video stream`);
  const width = Number(v.width);
  const height = Number(v.height);
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      ...(time > 0 ? ['-ss', String(time)] : []),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  if (stdout.length !== width * height * 4)
    throw new Error(`expected ${width}x${height} RGBA, got ${stdout.length} bytes`);
  return { width, height, data: stdout };
}

/** Mean R, G, B, A over the rectangle [x0, x1) × [y0, y1) given in fractions of the frame. */
export function regionMean(
  f: Frame,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): [number, number, number, number] {
  const ax = Math.floor(x0 * f.width);
  const bx = Math.max(ax + 1, Math.floor(x1 * f.width));
  const ay = Math.floor(y0 * f.height);
  const by = Math.max(ay + 1, Math.floor(y1 * f.height));
  const sum = [0, 0, 0, 0];
  for (let y = ay; y < by; y++) {
    for (let x = ax; x < bx; x++) {
      const i = (y * f.width + x) * 4;
      for (let c = 0; c < 4; c++) sum[c]! += f.data[i + c]!;
    }
  }
  const n = (bx - ax) * (by - ay);
  return sum.map((s) => s / n) as [number, number, number, number];
}

/** The bounding box (in pixels) of pixels whose brightest channel exceeds `threshold`, or null. */
export function litBox(f: Frame, threshold = 128): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const i = (y * f.width + x) * 4;
      if (Math.max(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!) > threshold) {
        if (x < x0) x0 = x;
        if (y < y0) y0 = y;
        if (x > x1) x1 = x;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

export interface ProbeJson {
  format: { duration?: string; format_name?: string; tags?: Record<string, string> };
  streams: Array<Record<string, string | number | undefined> & { codec_type: string }>;
}

export async function ffprobeJson(file: string): Promise<ProbeJson> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    file,
  ]);
  return JSON.parse(stdout) as ProbeJson;
}

/** Number of decoded video frames (counted, not estimated from the header). */
export async function countFrames(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number(stdout.trim());
}

/** Mean volume in dBFS of [start, start+duration) of the file's audio (ffmpeg volumedetect). */
export async function meanVolume(file: string, start: number, duration: number): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-ss',
    String(start),
    '-t',
    String(duration),
    '-i',
    file,
    '-vn',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const m = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  if (!m) throw new Error(`no volumedetect output for ${file}`);
  return m[1] === '-inf' ? -Infinity : Number(m[1]);
}

/** Makes test media with ffmpeg's own sources (lavfi), e.g. `['-f','lavfi','-i','testsrc2=s=320x180:r=25:d=2']`. */
export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** Presentation times of every video frame, in order of decoding output. */
export async function frameTimes(file: string): Promise<number[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.split(',')[0]));
}

/** Per-frame SSIM (All) of `b` against `a`. */
export async function ssimPerFrame(a: string, b: string): Promise<number[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-i',
      a,
      '-i',
      b,
      '-lavfi',
      '[0:v][1:v]ssim=stats_file=-',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return [...stdout.matchAll(/All:([\d.]+)/g)].map((m) => Number(m[1]));
}

/** MD5 of the decoded audio as 16-bit PCM: equal means the same samples. */
export async function audioHash(file: string): Promise<string> {
  const { stdout } = await run('ffmpeg', [
    '-hide_banner',
    '-v',
    'error',
    '-i',
    file,
    '-vn',
    '-f',
    'md5',
    '-c:a',
    'pcm_s16le',
    '-',
  ]);
  return stdout.trim();
}

/** The file's first audio stream decoded to interleaved stereo 32-bit float PCM at 48 kHz. */
export async function decodePcm(file: string): Promise<Float32Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-hide_banner', '-v', 'error', '-i', file, '-vn', '-ac', '2', '-ar', '48000', '-f', 'f32le', '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const b = stdout as unknown as Buffer;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}
