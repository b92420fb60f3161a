import { logger } from '../observability.js';
import { usageStore } from '../usage/index.js';
import { providerUsage, type ProviderName, type ProviderUsage } from './cost.js';

/**
 * Meters one provider call on its job (units and estimated cost); returns the usage line. A job item
 * that is gone (removed while its work ran) cannot carry it: the call is logged with its cost instead
 * of failing work that already happened.
 */
export async function meterProvider(
  jobId: string,
  provider: ProviderName,
  units: number,
  usdPerUnit?: number,
): Promise<ProviderUsage> {
  const line = providerUsage(provider, units, usdPerUnit);
  if (line.units > 0)
    await usageStore()
      .addProviderUsage(jobId, line)
      .catch((err: Error) => {
        if (err.name !== 'ConditionalCheckFailedException') throw err;
        logger.warn('provider usage of a job that is gone', { jobId, ...line });
      });
  return line;
}
