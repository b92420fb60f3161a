import { usageStore } from '../usage/index.js';
import { providerUsage, type ProviderName, type ProviderUsage } from './cost.js';

/** Meters one provider call on its job (units and estimated cost); returns the usage line. */
export async function meterProvider(
  jobId: string,
  provider: ProviderName,
  units: number,
): Promise<ProviderUsage> {
  const line = providerUsage(provider, units);
  if (line.units > 0) await usageStore().addProviderUsage(jobId, line);
  return line;
}
