import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * The data dir holds every tenant's jobs, uploads, outputs and events, the API key and the webhook
 * secret: only its owner may read it. New files are made 0600 and folders 0700 (the process umask,
 * which dynalite, s3rver, ffmpeg and the event log all inherit), and what an earlier run left is
 * tightened on start.
 */
export async function makePrivateDataDir(dataDir: string): Promise<void> {
  // Worker threads may not set the umask; the 0700 folder still keeps others out there.
  if (isMainThread) process.umask(0o077);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await tighten(dataDir);
}

async function tighten(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await tighten(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}
