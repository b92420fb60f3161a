import { meterCompute } from '../core/usage/index.js';
import { logger } from './logger.js';

/** Runs a render task's work and adds its seconds to the job's metered compute (usage records). */
export async function metered<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    await meterCompute(jobId, (performance.now() - started) / 1000).catch((err: Error) =>
      logger.warn('could not meter compute', { jobId, err: err.message }),
    );
  }
}
