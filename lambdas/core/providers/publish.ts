import { contentType, keys } from '../aws/storage.js';
import { getPlatform } from '../platform.js';

import type { Publishers } from '../jobs/types.js';

export type { Publishers };

export const generatedInputKey = (tenantId: string, jobId: string, name: string) =>
  `inputs/${tenantId}/generated/${jobId}/${name}`;

/** The platform's buckets (the pipeline's tasks; the local platform runs the same code). */
export function platformPublishers(job: { tenantId: string; jobId: string }): Publishers {
  return {
    async publish(path, name) {
      const p = getPlatform();
      const key = generatedInputKey(job.tenantId, job.jobId, name);
      await p.objects.putFile(p.ingestBucket, key, path, contentType(name));
      return `s3://${p.ingestBucket}/${key}`;
    },
    async publishOutput(name, value) {
      const p = getPlatform();
      const key = keys.output(job.tenantId, job.jobId, name);
      await p.objects.putJson(p.outputsBucket, key, value);
      return `s3://${p.outputsBucket}/${key}`;
    },
  };
}
