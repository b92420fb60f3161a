import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FONT = resolve('assets/fonts/ClearSans-Bold.ttf');

/** The colour words the server understands: the first one in a prompt colours what it makes. */
export const COLOURS: Record<string, string> = {
  red: '#ff0000',
  green: '#00ff00',
  blue: '#0000ff',
  yellow: '#ffff00',
  magenta: '#ff00ff',
  cyan: '#00ffff',
};

export interface GenerationRequestSeen {
  id: string;
  kind: 'video' | 'image';
  prompt: string;
  durationSeconds?: number;
  width: number;
  height: number;
  seed: number;
  image?: boolean;
  referenceImages: number;
}

export interface GenerationServer {
  url: string;
  /** Every POST /jobs, in order. */
  requests: GenerationRequestSeen[];
  close(): Promise<void>;
}

const escapeText = (s: string) => s.replace(/[\\:'%,[\]]/g, (c) => `\\${c}`).slice(0, 40);

/**
 * A real provider of the HTTP generation protocol (docs/generation-http.md) for tests: each job runs
 * ffmpeg (a colour field named by the prompt's first colour word, the prompt drawn on it; image-to-video
 * moves the given first frame), answers `running` until ffmpeg is done, then the media's URL. A prompt
 * with the word "flaky" fails its first job (so a caller's restart is seen), "refuse" is answered 400.
 */
export async function startGenerationServer(): Promise<GenerationServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cutline-gen-server-'));
  const requests: GenerationRequestSeen[] = [];
  const jobs = new Map<
    string,
    { status: 'running' | 'succeeded' | 'failed'; file?: string; error?: string }
  >();
  const flaky = new Set<string>();
  let next = 0;
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  };
  async function make(id: string, b: Record<string, unknown>): Promise<string> {
    const prompt = String(b.prompt);
    const word = Object.keys(COLOURS).find((w) => new RegExp(`\\b${w}\\b`, 'i').test(prompt));
    const colour = word ? COLOURS[word]! : '#808080';
    const w = Number(b.width);
    const h = Number(b.height);
    const text = `drawtext=fontfile=${FONT}:text='${escapeText(prompt)}':fontcolor=white:fontsize=${Math.max(10, Math.round(h / 16))}:x=8:y=h-th-8`;
    if (b.kind === 'image') {
      const out = join(dir, `${id}.png`);
      await run('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `color=c=${colour}:s=${w}x${h}`,
        '-vf',
        text,
        '-frames:v',
        '1',
        out,
      ]);
      return out;
    }
    const seconds = String(b.durationSeconds);
    const out = join(dir, `${id}.mp4`);
    const image = b.image as { data?: string } | undefined;
    if (image?.data) {
      const first = join(dir, `${id}-first.png`);
      await writeFile(first, Buffer.from(image.data, 'base64'));
      await run('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-loop',
        '1',
        '-i',
        first,
        '-t',
        seconds,
        '-r',
        '24',
        '-vf',
        `scale=${w}:${h},${text},format=yuv420p`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        out,
      ]);
    } else {
      await run('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `color=c=${colour}:s=${w}x${h}:r=24:d=${seconds}`,
        '-vf',
        `${text},format=yuv420p`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        out,
      ]);
    }
    return out;
  }
  const server: Server = createServer((req, res) => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/jobs') {
        const b = await body(req);
        if (typeof b.prompt !== 'string' || (b.kind !== 'video' && b.kind !== 'image'))
          return send(400, { error: 'kind and prompt are required' });
        if (/\brefuse\b/i.test(b.prompt))
          return send(400, { error: 'the prompt was refused by the content filter' });
        const id = `job${++next}`;
        requests.push({
          id,
          kind: b.kind,
          prompt: b.prompt,
          ...(typeof b.durationSeconds === 'number' ? { durationSeconds: b.durationSeconds } : {}),
          width: Number(b.width),
          height: Number(b.height),
          seed: Number(b.seed),
          ...(b.image ? { image: true } : {}),
          referenceImages: Array.isArray(b.referenceImages) ? b.referenceImages.length : 0,
        });
        if (/\bflaky\b/i.test(b.prompt) && !flaky.has(b.prompt)) {
          flaky.add(b.prompt);
          jobs.set(id, { status: 'failed', error: 'the model had a bad day' });
        } else {
          jobs.set(id, { status: 'running' });
          make(id, b).then(
            (file) => jobs.set(id, { status: 'succeeded', file }),
            (err: Error) => jobs.set(id, { status: 'failed', error: err.message }),
          );
        }
        return send(202, { id });
      }
      const job = url.pathname.match(/^\/jobs\/(\w+)$/);
      if (req.method === 'GET' && job) {
        const j = jobs.get(job[1]!);
        if (!j) return send(404, { error: 'no such job' });
        return send(200, {
          status: j.status,
          ...(j.file ? { url: `/media/${job[1]}${j.file.endsWith('.png') ? '.png' : '.mp4'}` } : {}),
          ...(j.error ? { error: j.error } : {}),
        });
      }
      const media = url.pathname.match(/^\/media\/(\w+)\.(mp4|png)$/);
      if (req.method === 'GET' && media) {
        const bytes = await readFile(join(dir, `${media[1]}.${media[2]}`));
        res.writeHead(200, {
          'content-type': media[2] === 'png' ? 'image/png' : 'video/mp4',
          'content-length': bytes.length,
        });
        return res.end(bytes);
      }
      send(404, { error: 'not found' });
    })().catch((err: Error) => send(500, { error: err.message }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
