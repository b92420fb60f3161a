import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = resolve('bin/cutline.mjs');
const running: ChildProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
});

/** `cutline start` on a free port in a fresh data dir; resolves with its URL and key once it is up. */
async function start(...flags: string[]): Promise<{ url: string; key: string; out: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cutline-start-'));
  const child = spawn('node', [CLI, 'start', '--port', '0', '--data-dir', dataDir, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  return new Promise((done, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
      const key = /API key:\s+(\S+)/.exec(out)?.[1];
      if (url && key && out.includes('Ctrl-C')) done({ url, key, out });
    });
    child.once('exit', (code) => fail(new Error(`cutline start exited ${code}: ${out}`)));
  });
}

const validate = async (p: { url: string; key: string }, callback: string) =>
  fetch(`${p.url}/v1/validate`, {
    method: 'POST',
    headers: { 'x-api-key': p.key, 'content-type': 'application/json' },
    body: JSON.stringify({
      timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'x' }, start: 0, length: 1 }] }] },
      output: { format: 'mp4', resolution: 'sd' },
      callback,
    }),
  });

describe('cutline start on a machine that lacks something', () => {
  it('refuses to start without ffmpeg, naming the install command; starts without Chromium, saying so', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutline-start-'));
    const noFfmpeg = spawnSync('node', [CLI, 'start', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, CUTLINE_FFMPEG: '/nonexistent/ffmpeg' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(noFfmpeg.status).toBe(1);
    expect(noFfmpeg.stderr).toContain('missing:   ffmpeg (with ffprobe) — needed for every render');
    // This machine is Debian (CI too).
    expect(noFfmpeg.stderr).toContain('install:   sudo apt-get update && sudo apt-get install -y ffmpeg');
    process.env.CUTLINE_CHROMIUM = '/nonexistent/chromium';
    try {
      const p = await start();
      expect(p.out).toContain('missing:   Chromium — without it, no html, svg and shape assets');
      expect(p.out).toContain('install:   sudo apt-get update && sudo apt-get install -y chromium');
    } finally {
      delete process.env.CUTLINE_CHROMIUM;
    }
  });
});

describe('cutline start and local webhook receivers', () => {
  it('refuses a loopback callback by default and says how to allow it', async () => {
    const p = await start();
    expect(p.out).toMatch(/webhooks:\s+public receivers only/);
    const res = await validate(p, 'http://127.0.0.1:8787/hook');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: Array<{ path: string; message: string }> } };
    expect(body.error.details[0]).toEqual({
      path: 'callback',
      message: expect.stringMatching(/loopback.*--allow-local-webhooks/),
    });
  });

  it('--allow-local-webhooks lets loopback in, and nothing else', async () => {
    const p = await start('--allow-local-webhooks');
    expect(p.out).toMatch(/webhooks:\s+loopback receivers allowed/);
    expect((await validate(p, 'http://127.0.0.1:8787/hook')).status).toBe(200);
    expect((await validate(p, 'http://169.254.169.254/')).status).toBe(400);
  });
});
