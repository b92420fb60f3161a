import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetHealth } from '../../../lambdas/api/health.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { avClipArgs, FIXTURES } from '../../helpers/fixtures.js';
import { ffmpeg } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * A full disk, for real: the platform's data dir (dynalite's LevelDB and s3rver's files) and the render
 * scratch each live on a small tmpfs mounted for this file (CI runs as root, like this machine), filled
 * by the render itself or by a filler file. Each affected job ends FAILED with STORAGE_FULL naming the
 * store, the platform keeps answering, health names the full store, and once space is back it works again.
 */
interface Tmpfs {
  path: string;
  resize(size: string): void;
  /** Writes a filler file leaving about `leaveBytes` free. */
  fill(leaveBytes: number): Promise<void>;
  unfill(): Promise<void>;
  free(): Promise<number>;
  umount(): void;
}

async function tmpfs(size: string): Promise<Tmpfs> {
  const path = await mkdtemp(join(tmpdir(), 'cutline-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]);
  // Each fill adds a file (a second fill tops up what the platform freed since); unfill removes them all.
  const fillers: string[] = [];
  const free = async () => {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  };
  return {
    path,
    resize: (to) => execFileSync('mount', ['-o', `remount,size=${to}`, path]),
    async fill(leave) {
      const bytes = Math.max(0, (await free()) - leave);
      if (!bytes) return;
      const filler = join(path, `filler-${fillers.length}`);
      fillers.push(filler);
      try {
        execFileSync('fallocate', ['-l', String(bytes), filler]);
      } catch {
        // A tmpfs that refuses fallocate: dd stops at the first ENOSPC (exiting 1), which is as good
        // when the disk is then full (the platform may have written in the meantime).
        try {
          execFileSync(
            'dd',
            ['if=/dev/zero', `of=${filler}`, 'bs=64k', `count=${Math.ceil(bytes / 65536)}`],
            {
              stdio: 'ignore',
            },
          );
        } catch (err) {
          if ((await free()) > leave + 65536) throw err;
        }
      }
    },
    unfill: async () => {
      for (const f of fillers.splice(0)) await rm(f, { force: true });
    },
    free,
    umount: () => {
      execFileSync('umount', ['-l', path]);
      execFileSync('rmdir', [path]);
    },
  };
}

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    const probe = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    execFileSync('umount', [probe]);
    execFileSync('rmdir', [probe]);
    return true;
  } catch {
    return false;
  }
})();

const SECONDS = 8;
let data: Tmpfs;
let scratch: Tmpfs;
let platform: LocalPlatform;
let call: Api;

const edit = (size: { width: number; height: number }, seconds = SECONDS) => ({
  timeline: {
    tracks: [
      {
        clips: [
          {
            asset: { type: 'video', src: fixtureUrl(`storage-${SECONDS}.mp4`) },
            start: 0,
            length: seconds,
          },
        ],
      },
    ],
  },
  output: { format: 'mp4', size, fps: 25 },
});

async function health() {
  resetHealth();
  const res = await fetch(`${platform.url}/v1/health`);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; storage?: Array<{ name: string; status: string }> },
  };
}

/** The message a client sees may name the store, never a folder of this machine. */
function expectNoPaths(message: string) {
  expect(message).not.toContain(data.path);
  expect(message).not.toContain(scratch.path);
  // (An S3 key such as `work/<job>/…` is no path of this machine; an absolute folder would be.)
  expect(message).not.toMatch(/(^|[\s'"(])\/(tmp|work|root|home)\//);
}

describe.skipIf(!canMount)('a full disk (real tmpfs mounts)', () => {
  beforeAll(async () => {
    const fixture = join(FIXTURES, `storage-${SECONDS}.mp4`);
    if (!existsSync(fixture)) {
      await mkdir(FIXTURES, { recursive: true });
      // Noise does not compress: every output of it is megabytes.
      await ffmpeg([
        '-y',
        ...avClipArgs(
          `testsrc2=s=640x360:r=25:d=${SECONDS},noise=alls=60:allf=t`,
          `sine=d=${SECONDS}`,
          fixture,
        ),
      ]);
    }
    data = await tmpfs('48m');
    scratch = await tmpfs('1m');
    platform = await startTestPlatform({
      dataDir: join(data.path, 'cutline'),
      scratchDir: scratch.path,
      planLimits: { maxConcurrency: 2, minChunkSeconds: 4 },
    });
    call = api(platform);
  }, 120_000);
  afterAll(async () => {
    await platform?.close();
    scratch?.umount();
    data?.umount();
  });

  it('scratch fills while ffmpeg writes: FAILED STORAGE_FULL naming the scratch disk, which is freed; the platform renders on', async () => {
    const res = await call('POST', '/v1/renders', edit({ width: 640, height: 360 }));
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 180_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('STORAGE_FULL');
    expect(job.error.message).toMatch(/scratch disk/);
    expectNoPaths(job.error.message);
    // The failed task's scratch is gone again, and the platform answers and renders.
    // (A sibling chunk may still be writing: it meets the same full disk and cleans up after itself.)
    for (let i = 0; i < 300 && (await scratch.free()) < 0.9 * 1024 * 1024; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await scratch.free()).toBeGreaterThan(0.9 * 1024 * 1024);
    expect((await health()).body.status).toBe('ok');
    const small = await call('POST', '/v1/renders', edit({ width: 160, height: 90 }, 2));
    expect((await waitForJob(call, small.body.id, 120_000)).job.status).toBe('SUCCEEDED');
  }, 300_000);

  it('the object store fills (s3rver): FAILED STORAGE_FULL naming it and the size needed; health says which store is low', async () => {
    scratch.resize('256m');
    await data.fill(512 * 1024);
    const during = await health();
    expect(during.status).toBe(200);
    expect(during.body.status).toBe('degraded');
    expect(during.body.storage?.find((s) => s.name === 'objects')?.status).toBe('low');

    const res = await call('POST', '/v1/renders', edit({ width: 640, height: 360 }));
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 180_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('STORAGE_FULL');
    expect(job.error.message).toMatch(/object store|local table/);
    expect(job.error.message).toMatch(/needed|out of disk space/);
    expectNoPaths(job.error.message);
    // s3rver is still up: its health check and a read answer.
    expect((await health()).body.storage?.length).toBe(3);
    await data.unfill();
    expect((await health()).body.status).toBe('ok');
  }, 300_000);

  it('the table fills (dynalite): a submit is 507 STORAGE_FULL, not a 500 or a crash; once space is back, jobs run again', async () => {
    await data.fill(0);
    // A job item bigger than the slack in the last page of LevelDB's log (tmpfs allocates by pages).
    const big = edit({ width: 160, height: 90 }, 2);
    big.timeline.tracks.push({
      clips: Array.from({ length: 40 }, (_, i) => ({
        asset: { type: 'title', text: `${'words '.repeat(150)}${i}` },
        start: 0,
        length: 2,
      })) as never,
    });
    const refused = await call('POST', '/v1/renders', big);
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe('STORAGE_FULL');
    expectNoPaths(refused.body.error.message);
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('degraded');
    expect(h.body.storage?.find((s) => s.name === 'table')?.status).toBe('low');
    // Reads still answer while the disk is full, and an event that cannot be logged is still delivered.
    expect((await call('GET', '/v1/renders?limit=5')).status).toBe(200);
    const lost: string[] = [];
    // The store may have freed pages since (LevelDB compacts): full again before the event is logged.
    await data.fill(0);
    platform.bus.once('log-failed', (f) => lost.push(f.eventId));
    const [put] = platform.bus.put([
      { Source: 'cutline', DetailType: 'Job Progress', Detail: JSON.stringify({ pad: 'x'.repeat(64_000) }) },
    ]);
    expect(put).toHaveProperty('EventId');
    // The log write fails after put returns: wait for its report (bounded).
    for (let i = 0; i < 50 && !lost.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(lost).toEqual([(put as { EventId: string }).EventId]);

    await data.unfill();
    const again = await call('POST', '/v1/renders', edit({ width: 160, height: 90 }, 2));
    expect(again.status).toBe(202);
    expect((await waitForJob(call, again.body.id, 120_000)).job.status).toBe('SUCCEEDED');
  }, 300_000);
});
