import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { makeExampleMedia } from '../../examples/make-media.js';
import { startLocalPlatform } from '../../local/platform.js';
import { progressBar } from '../progress.js';

/** Points relative `src` values at the example files, as file:// URLs under the media root. */
function withFileSources(value: unknown, base: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withFileSources(v, base));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === 'src' && typeof v === 'string' && !/^[a-z]+:/i.test(v)
          ? pathToFileURL(resolve(base, v)).href
          : withFileSources(v, base),
      ]),
    );
  }
  return value;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      edit: { type: 'string', default: 'examples/promo.json' },
      out: { type: 'string', default: 'out/demo' },
    },
  });
  const editPath = resolve(values.edit!);
  const examples = dirname(editPath);
  process.stderr.write('making the example media (first run only)…\n');
  await makeExampleMedia(false);

  let url = values.url;
  let apiKey = values['api-key'];
  let stop = async () => {};
  if (!url) {
    const platform = await startLocalPlatform({
      dataDir: join(tmpdir(), 'cutline-demo'),
      mediaRoot: examples,
      // The demo's receiver listens on 127.0.0.1: the development opt-in, never on by default.
      allowLocalWebhooks: true,
    });
    url = platform.url;
    apiKey = platform.apiKey;
    stop = () => platform.close();
    process.stderr.write(`started the local platform at ${url}\n`);
  } else if (!apiKey) {
    process.stderr.write('cutline demo: --url needs --api-key\n');
    return 2;
  }

  // A webhook receiver: the platform delivers the job's events to the edit's callback.
  const events: Array<{ type: string; status: string; signed: boolean }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          'detail-type': string;
          detail: { status: string };
        };
        events.push({
          type: envelope['detail-type'],
          status: envelope.detail.status,
          signed: !!req.headers['cutline-signature'],
        });
      } catch {
        /* not an event */
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  try {
    const edit = {
      ...(withFileSources(JSON.parse(await readFile(editPath, 'utf8')), examples) as object),
      callback,
    };
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey! };
    const submitted = await fetch(`${url}/v1/renders`, {
      method: 'POST',
      headers,
      body: JSON.stringify(edit),
    });
    const job = (await submitted.json()) as { id: string; error?: { message: string } };
    if (submitted.status !== 202)
      throw new Error(`submit failed (${submitted.status}): ${job.error?.message}`);
    process.stderr.write(`submitted ${values.edit} as render ${job.id}\n`);
    const bar = progressBar('rendering');
    let state: {
      status: string;
      stage?: string;
      progress: number;
      frames?: { done: number; total: number };
      secondsRemaining?: number;
      outputs?: Array<{ kind: string; key: string; url: string }>;
      error?: { code: string; message: string };
    };
    for (;;) {
      state = (await (await fetch(`${url}/v1/renders/${job.id}`, { headers })).json()) as typeof state;
      bar(state.progress / 100, { frames: state.frames, secondsRemaining: state.secondsRemaining });
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (state.status !== 'SUCCEEDED')
      throw new Error(`the render ended ${state.status}: ${state.error?.code}: ${state.error?.message}`);
    const outDir = resolve(values.out!);
    await mkdir(outDir, { recursive: true });
    for (const o of state.outputs ?? []) {
      const path = join(outDir, o.key.slice(o.key.lastIndexOf('/') + 1));
      await writeFile(path, Buffer.from(await (await fetch(o.url)).arrayBuffer()));
      process.stdout.write(`${o.kind}: ${path}\n`);
    }
    // Give the webhook a moment: it is delivered after the job ends.
    for (let i = 0; i < 20 && !events.some((e) => e.type === 'Job Succeeded'); i++)
      await new Promise((r) => setTimeout(r, 250));
    process.stdout.write(
      `events received: ${events.map((e) => `${e.type}${e.signed ? ' (signed)' : ''}`).join(', ') || 'none'}\n`,
    );
    return 0;
  } finally {
    receiver.close();
    await stop();
  }
}
