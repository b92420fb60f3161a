import { contentType, keys } from '../core/aws/storage.js';
import type { Job } from '../core/jobs/model.js';
import { putOutputsIfLive } from '../core/objects/job-objects.js';
import type { RenderedFile } from '../core/packaging/types.js';

/** A rendition's files as stored under outputs/<tenant>/<jobId>/ (work/<jobId>/result-<n>.json). */
export interface StoredFiles {
  files: Array<Omit<RenderedFile, 'path' | 'name' | 'companions'> & { key: string; rendition?: string }>;
}

/** Uploads rendered files (and their companions) to outputs/<tenant>/<jobId>/ and returns them with their keys. */
export async function storeOutputs(
  job: Job,
  files: readonly RenderedFile[],
  rendition?: string,
  /** Outputs already in the bucket (the stitch's assembled main file): listed first, not uploaded again. */
  already: StoredFiles['files'] = [],
): Promise<StoredFiles> {
  const stored: StoredFiles['files'] = [...already];
  const puts: Array<{ key: string; path: string; contentType: string }> = [];
  for (const f of files) {
    const name = f.name ?? f.path.slice(f.path.lastIndexOf('/') + 1);
    for (const c of f.companions ?? [])
      puts.push({
        key: keys.output(job.tenantId, job.id, c.name),
        path: c.path,
        contentType: contentType(c.name),
      });
    const key = keys.output(job.tenantId, job.id, name);
    puts.push({ key, path: f.path, contentType: contentType(name) });
    const { path: _path, name: _name, companions: _companions, ...rest } = f;
    stored.push({ ...rest, key, ...(rendition ? { rendition } : {}) });
  }
  // Nothing is written for a job that was cancelled or failed meanwhile.
  await putOutputsIfLive(
    job.id,
    puts,
    already.map((f) => f.key),
  );
  return { files: stored };
}

/** The main file of a rendition: `output.mp4` for a plain render, `clip-01-9x16.mp4`, … */
export const outputName = (rendition: string, format: string) => `${rendition}.${format}`;
