import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../lambdas/core/aws/storage.js';
import { readLocalPart } from '../../../lambdas/core/engine/reference-join.js';
import { readRemotePart } from '../../../lambdas/pipeline/reference-stitch.js';
import { makePart } from '../../../bench/reference-join.js';

/**
 * The stitch Lambda reads a part's headers, never its media: a HeadObject and ranged GETs of 64 KiB
 * blocks (the first, and the one holding moov, which a part without faststart keeps after mdat).
 */
describe('readRemotePart', () => {
  it('parses the part from a HeadObject and two ranged GETs, reading none of the media past the first block', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-remote-part-'));
    const file = await readFile(await makePart(dir, '640x360'));
    const reads: Array<[number, number]> = [];
    const store = {
      head: async () => ({ bytes: file.length }),
      getRange: async (_b: string, _k: string, start: number, end: number) => {
        reads.push([start, end]);
        return file.subarray(start, end);
      },
    } as unknown as ObjectStore;
    const { part, gets } = await readRemotePart(store, 'b', 'work/j/chunk-0000.mp4', '0');
    expect(gets).toBe(2);
    expect(reads.length).toBe(2);
    const read = reads.reduce((n, [a, b]) => n + (b - a), 0);
    expect(file.length).toBeGreaterThan(1_000_000);
    expect(read).toBeLessThan(2 * 64 * 1024 + 1);
    // The same part as read from the whole file.
    expect(part).toEqual(await readLocalPart(join(dir, 'part-640x360.mp4'), '0'));
  }, 60_000);
});
