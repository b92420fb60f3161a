import { clients } from './aws/clients.js';
import { ObjectStore } from './aws/storage.js';
import { ENV, requireEnv } from './config.js';
import { JobStore } from './jobs/store.js';

/** What every handler needs, built from the environment once per process. */
export interface Platform {
  jobs: JobStore;
  objects: ObjectStore;
  table: string;
  ingestBucket: string;
  outputsBucket: string;
}

let platform: Platform | undefined;

export function getPlatform(): Platform {
  if (!platform) {
    const c = clients();
    const table = requireEnv(ENV.TABLE_NAME);
    platform = {
      jobs: new JobStore(c.db, table),
      objects: new ObjectStore(c.s3),
      table,
      ingestBucket: requireEnv(ENV.INGEST_BUCKET),
      outputsBucket: requireEnv(ENV.OUTPUTS_BUCKET),
    };
  }
  return platform;
}

/** Tests and the local runtime reset it after changing the environment. */
export function resetPlatform(): void {
  platform = undefined;
}
