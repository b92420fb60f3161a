import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('node:fs/promises');
  vi.resetModules();
});

describe('removeScratch: a job or task folder removed when it ends', () => {
  it('removes the folder and all it holds', async () => {
    const { removeScratch } = await import('../../../lambdas/pipeline/scratch.js');
    const dir = await mkdtemp(join(tmpdir(), 'cutline-scratch-'));
    await mkdir(join(dir, 'chunks-1'), { recursive: true });
    await writeFile(join(dir, 'chunks-1', 'part-0.mp4'), 'x');
    await removeScratch(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('retries ENOTEMPTY (a file written while it empties the folder) and never throws what is left', async () => {
    const calls: unknown[] = [];
    vi.doMock('node:fs/promises', async (original) => {
      const real = await original<typeof import('node:fs/promises')>();
      return {
        ...real,
        rm: async (path: string, opts: unknown) => {
          calls.push(opts);
          throw Object.assign(new Error(`ENOTEMPTY: directory not empty, rmdir '${path}'`), {
            code: 'ENOTEMPTY',
          });
        },
      };
    });
    const { removeScratch } = await import('../../../lambdas/pipeline/scratch.js');
    const { logger } = await import('../../../lambdas/core/observability.js');
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await expect(removeScratch('/tmp/cutline/job-1')).resolves.toBeUndefined();
    // Node's own retry of ENOTEMPTY/EBUSY is asked for, with a back-off.
    expect(calls[0]).toMatchObject({ recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    expect(warn).toHaveBeenCalledWith('scratch folder not removed', {
      dir: '/tmp/cutline/job-1',
      error: expect.stringContaining('ENOTEMPTY'),
    });
  });
});
