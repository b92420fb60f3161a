import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalPlatform, type LocalPlatform } from '../../../local/platform.js';
import { faultyFfmpeg } from '../../helpers/faults.js';
import { FIXTURES, videoFixture } from '../../helpers/fixtures.js';
import { api, fixtureUrl } from '../../helpers/platform.js';
import { groupAlive, recordedGroups, until } from '../../helpers/processes.js';

const CLI = fileURLToPath(new URL('../../../bin/cutline.mjs', import.meta.url));
let restarted: LocalPlatform | undefined;
afterAll(async () => restarted?.close());

describe('the platform process killed during a job', () => {
  it('leaves no job RUNNING and no ffmpeg: the restart ends the orphans and marks the job FAILED (INTERRUPTED), with Job Failed and no output', async () => {
    await videoFixture();
    const dataDir = await mkdtemp(join(tmpdir(), 'cutline-crash-'));
    const ffmpeg = await faultyFfmpeg();
    // The render hangs, so the job is certainly mid-render when the process dies.
    await ffmpeg.set('hang:output');
    const child = spawn(
      process.execPath,
      [CLI, 'start', '--port', '0', '--data-dir', dataDir, '--media-root', FIXTURES],
      {
        env: { ...process.env, CUTLINE_FFMPEG: ffmpeg.bin },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group (its ffmpegs lead groups of their own)
      },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`cutline start did not come up: ${out}`)), 60_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /running at (http:\/\/[\d.:]+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`cutline start exited ${code}: ${out}`)));
      });
      const key = /API key:\s+(\S+)/.exec(out)![1]!;
      const call = api({ url, apiKey: key } as LocalPlatform);
      const res = await call('POST', '/v1/renders', {
        timeline: {
          tracks: [
            { clips: [{ asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 0, length: 1 }] },
          ],
        },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      });
      expect(res.status).toBe(202);
      const id = res.body.id as string;
      for (let i = 0; ; i++) {
        const { body } = await call('GET', `/v1/renders/${id}`);
        if (body.status === 'RUNNING' && body.stage === 'rendering') break;
        if (i > 600) throw new Error(`job never reached rendering: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The render's own call (the start-up check's `ffmpeg -version` comes first), with its group recorded.
      await until(
        'the render is in ffmpeg',
        async () =>
          (await ffmpeg.calls()).some((c) => c.endsWith('output.mp4')) &&
          recordedGroups(dataDir).some((g) => g.bin === 'ffmpeg'),
        30_000,
      );
      const groups = recordedGroups(dataDir).filter((g) => g.bin === 'ffmpeg');
      expect(groups).toHaveLength(1);
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // The crash left its ffmpeg running, reparented: an orphan the next start must end.
      expect(groupAlive(groups[0]!.pid)).toBe(true);

      restarted = await startLocalPlatform({ dataDir, mediaRoot: FIXTURES });
      expect(restarted.apiKey).toBe(key);
      expect(restarted.interrupted).toEqual([id]);
      expect(restarted.orphansEnded).toEqual([groups[0]!.pid]);
      await until('the orphan ended', () => !groupAlive(groups[0]!.pid), 2000);
      expect(recordedGroups(dataDir)).toEqual([]);
      const after = await api(restarted)('GET', `/v1/renders/${id}`);
      expect(after.body).toMatchObject({ status: 'FAILED', error: { code: 'INTERRUPTED' } });
      expect(after.body.outputs ?? []).toEqual([]);
      await restarted.bus.drain();
      const log = (await readFile(join(dataDir, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { 'detail-type': string; detail: { jobId: string } })
        .filter((e) => e.detail.jobId === id);
      expect(log.map((e) => e['detail-type'])).toEqual(['Job Failed']);
      // Nothing of it reached the outputs bucket.
      expect(existsSync(join(dataDir, 's3', 'cutline-outputs', 'outputs', restarted.apiKeyId, id))).toBe(
        false,
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      await ffmpeg.dispose();
    }
  });
});
