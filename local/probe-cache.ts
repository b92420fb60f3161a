import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ProbeCache, ProbeResult } from '../lambdas/core/media/probe.js';
import { cutlineCacheDir } from './cache-dir.js';

/** `$XDG_CACHE_HOME/cutline/probes`, else `~/.cache/cutline/probes`: the user's own, not shared. */
export function defaultProbeCacheDir(): string {
  return join(cutlineCacheDir(), 'probes');
}

/** Entries kept; past this the older half goes (files of finished runs, such as spoken audio, never recur). */
export const MAX_PROBE_ENTRIES = 2000;

async function prune(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= MAX_PROBE_ENTRIES) return;
  const dated = await Promise.all(
    names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })),
  );
  dated.sort((a, b) => a.t - b.t);
  await Promise.all(dated.slice(0, names.length / 2).map((e) => rm(join(dir, e.n), { force: true })));
}

/**
 * What ffprobe said of a local file, kept for the next `cutline render` of the same file: each ffprobe
 * costs ~50 ms of start-up (it maps ~200 libraries), and an edit being worked on is rendered again and
 * again from the same sources. A file is the same while its device, inode, size, mtime and ctime are
 * (any write changes ctime); anything else, or an unreadable entry, is a miss and ffprobe runs.
 * Best effort: a cache that cannot be written costs only the probe it would have saved.
 */
export function fileProbeCache(dir = defaultProbeCacheDir()): ProbeCache {
  const identity = async (path: string): Promise<string | null> => {
    if (!isAbsolute(path)) return null; // a URL: nothing on this disk to compare with
    try {
      const s = await stat(path);
      return `${path}\0${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch {
      return null;
    }
  };
  const entry = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  return {
    async get(path) {
      const key = await identity(path);
      if (!key) return undefined;
      try {
        const saved = JSON.parse(await readFile(entry(key), 'utf8')) as { key?: string; probe?: ProbeResult };
        return saved.key === key ? saved.probe : undefined;
      } catch {
        return undefined;
      }
    },
    async set(path, probe) {
      const key = await identity(path);
      if (!key) return;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const file = entry(key);
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify({ key, probe }), { mode: 0o600 });
        await rename(tmp, file);
        await prune(dir);
      } catch {
        // Read-only home, full disk: the next render probes again.
      }
    },
  };
}
