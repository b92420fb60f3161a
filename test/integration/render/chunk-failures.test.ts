import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { runPool } from '../../../lambdas/core/engine/pool.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { videoFixture } from '../../helpers/fixtures.js';

describe('the worker pool', () => {
  it('retries a failed task, then succeeds', async () => {
    const attempts = new Map<number, number>();
    const out = await runPool([1, 2, 3], 2, async (n, attempt) => {
      attempts.set(n, attempt + 1);
      if (n === 2 && attempt === 0) throw new Error('transient');
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30]);
    expect(attempts.get(2)).toBe(2);
  });

  it('gives up after the retries and fails the whole run with that error', async () => {
    let calls = 0;
    await expect(
      runPool(
        [1, 2],
        1,
        async (n) => {
          calls++;
          if (n === 1) throw new Error('always');
          return n;
        },
        { retries: 2 },
      ),
    ).rejects.toThrow('always');
    expect(calls).toBe(3);
  });
});

describe('a chunk that keeps failing', () => {
  it('fails the render naming the chunk and its frames', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-chunkfail-'));
    await copyFile(await videoFixture(), join(dir, 'v.mp4'));
    const edit = parseEdit({
      timeline: { tracks: [{ clips: [{ asset: { type: 'video', src: 'v.mp4' }, start: 0, length: 4 }] }] },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const input = await prepareRender(edit, {
      resolver: new LocalSourceResolver({ mediaRoot: dir, baseDir: dir, maxSourceBytes: 1e9 }),
    });
    // The source disappears after planning: every chunk's ffmpeg fails, on every attempt.
    await rm(join(dir, 'v.mp4'));
    const err = await renderOnThisMachine(input, {
      output: join(dir, 'out.mp4'),
      chunks: 2,
      concurrency: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CutlineError);
    expect((err as CutlineError).code).toBe('RENDER_FAILED');
    expect((err as CutlineError).message).toMatch(/^chunk 0 \(frames 0–50\) failed: /);
  });
});
