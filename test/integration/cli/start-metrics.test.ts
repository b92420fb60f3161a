import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const CLI = resolve('bin/cutline.mjs');
let child: ChildProcess | undefined;
afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGTERM');
  await exited;
});

it('cutline start: a finished job’s metrics (EMF) go to <data dir>/metrics.jsonl, not the terminal', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cutline-metrics-'));
  child = spawn('node', [CLI, 'start', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const { url, key } = await new Promise<{ url: string; key: string }>((done, fail) => {
    child!.stdout!.on('data', () => {
      const u = /running at (http:\/\/\S+)/.exec(out)?.[1];
      const k = /API key:\s+(\S+)/.exec(out)?.[1];
      if (u && k && out.includes('Ctrl-C')) done({ url: u, key: k });
    });
    child!.once('exit', (code) => fail(new Error(`cutline start exited ${code}: ${out}`)));
  });
  const headers = { 'x-api-key': key, 'content-type': 'application/json' };
  const submitted = (await (
    await fetch(`${url}/v1/renders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'm' }, start: 0, length: 1 }] }] },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      }),
    })
  ).json()) as { id: string };
  let status = 'QUEUED';
  for (let i = 0; i < 600 && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status); i++) {
    await new Promise((r) => setTimeout(r, 200));
    status = (
      (await (await fetch(`${url}/v1/renders/${submitted.id}`, { headers })).json()) as { status: string }
    ).status;
  }
  expect(status).toBe('SUCCEEDED');
  const file = join(dataDir, 'metrics.jsonl');
  // The job's end is metered right after it is marked SUCCEEDED: wait (bounded) for the line.
  for (let i = 0; i < 50 && !(existsSync(file) && readFileSync(file, 'utf8').includes('JobsSucceeded')); i++)
    await new Promise((r) => setTimeout(r, 100));
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.find((l) => l.JobsSucceeded === 1)).toMatchObject({
    service: 'cutline',
    _aws: expect.any(Object),
  });
  expect(out).not.toContain('"_aws"');
  expect(out).not.toContain('CloudWatchMetrics');
}, 120_000);
