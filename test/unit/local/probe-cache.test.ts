import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileProbeCache, MAX_PROBE_ENTRIES } from '../../../local/probe-cache.js';
import type { ProbeResult } from '../../../lambdas/core/media/probe.js';

const probe = (over: Partial<ProbeResult> = {}): ProbeResult => ({
  durationSeconds: 4,
  hasVideo: true,
  hasAudio: true,
  isImage: false,
  width: 320,
  height: 180,
  rotation: 0,
  fps: 25,
  bytes: 1000,
  format: 'mov',
  ...over,
});

describe('fileProbeCache: what ffprobe said of an unchanged local file', () => {
  it('answers for the same file, not once it is written again, moved aside or unreadable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-probe-cache-'));
    const cache = fileProbeCache(join(dir, 'cache'));
    const file = join(dir, 'a.mp4');
    await writeFile(file, 'one');
    expect(await cache.get(file)).toBeUndefined();
    await cache.set(file, probe());
    expect(await cache.get(file)).toEqual(probe());
    // Rewritten (even with the same size): its ctime moves, so it is probed again.
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, 'two');
    expect(await cache.get(file)).toBeUndefined();
    // Another file with the same content is another file.
    await writeFile(join(dir, 'b.mp4'), 'two');
    expect(await cache.get(join(dir, 'b.mp4'))).toBeUndefined();
    // URLs and missing files are never answered from the cache.
    await cache.set('https://example.com/a.mp4', probe());
    expect(await cache.get('https://example.com/a.mp4')).toBeUndefined();
    expect(await cache.get(join(dir, 'missing.mp4'))).toBeUndefined();
    // A damaged entry is a miss, not an error.
    await cache.set(file, probe({ width: 640 }));
    // The folder also holds the entry of the file's earlier identity: damage every entry, not one of them.
    const entries = (await readdir(join(dir, 'cache'))).filter((n) => n.endsWith('.json'));
    expect((await cache.get(file))?.width).toBe(640);
    for (const entry of entries) await writeFile(join(dir, 'cache', entry), '{not json');
    expect(await cache.get(file)).toBeUndefined();
  });

  it('keeps at most MAX_PROBE_ENTRIES entries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-probe-cache-'));
    const cache = fileProbeCache(join(dir, 'cache'));
    const files = Array.from({ length: MAX_PROBE_ENTRIES + 1 }, (_, i) => join(dir, `f${i}`));
    for (const f of files) await writeFile(f, 'x');
    for (const f of files) await cache.set(f, probe());
    const kept = (await readdir(join(dir, 'cache'))).filter((n) => n.endsWith('.json')).length;
    expect(kept).toBeLessThanOrEqual(MAX_PROBE_ENTRIES);
    expect(kept).toBeGreaterThan(MAX_PROBE_ENTRIES / 3);
    expect(await cache.get(files.at(-1)!)).toEqual(probe());
  }, 60_000);
});
