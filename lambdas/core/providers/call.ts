import { QuotaExceededError } from '../errors.js';
import { logger } from '../observability.js';
import { monthOf } from '../quota/quota.js';
import { quotaFor, usageStore } from '../usage/index.js';
import { PROVIDER_LABELS, PROVIDER_PRICES, providerUsage, type ProviderName } from './cost.js';
import { meterProvider } from './meter.js';
import { withBackoff, type BackoffOptions } from './retry.js';
import { providerSettings } from './settings.js';

/** Whose call it is: the tenant's month pays for it, and the job (when there is one) carries it. */
export interface CallScope {
  tenantId: string;
  jobId?: string;
}

/** A metered provider call as a dependency (scene providers and job kinds take one; tests pass their own). */
export type ProviderCaller = <T>(
  provider: ProviderName,
  estimatedUnits: number,
  call: () => Promise<T>,
  unitsOf: (result: T) => number,
) => Promise<T>;

/** USD a unit of this provider costs in this deployment (the endpoint's operator sets the LLM's). */
export function unitPrice(provider: ProviderName): number {
  if (provider === 'openai') return (providerSettings().llm?.usdPerMillionTokens ?? 0) / 1_000_000;
  return PROVIDER_PRICES[provider].usd;
}

const usd = (x: number) => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(2)}`;

/**
 * Every AI provider call goes through here. Before it is made, its estimated cost is reserved on the
 * tenant's month (one conditional write), and a call the `providerUsdPerMonth` quota has no room for is
 * refused (QUOTA_EXCEEDED, nothing called); transient errors are retried with backoff; afterwards the
 * measured units replace the estimate on the month and are metered on the job. Local engines cost 0 and
 * are never refused, only counted.
 */
export async function providerCall<T>(
  scope: CallScope,
  provider: ProviderName,
  estimatedUnits: number,
  call: () => Promise<T>,
  unitsOf: (result: T) => number,
  backoff?: BackoffOptions,
  now = new Date(),
): Promise<T> {
  const price = unitPrice(provider);
  const estimate = providerUsage(provider, estimatedUnits, price);
  const month = monthOf(now).from.slice(0, 7);
  const store = usageStore();
  let reserved = 0;
  if (estimate.estimatedUsd > 0) {
    const budget = (await quotaFor(scope.tenantId))?.providerUsdPerMonth;
    const max = budget === undefined ? undefined : budget - estimate.estimatedUsd;
    if (
      max !== undefined &&
      (max < 0 || !(await store.reserveProviderSpend(scope.tenantId, month, estimate.estimatedUsd, max)))
    ) {
      const spent = (await store.getProviderSpend(scope.tenantId, month)).usd;
      const resetsAt = monthOf(now).resetsAt;
      throw new QuotaExceededError(
        `${PROVIDER_LABELS[provider]} was not called: this call is estimated at ${usd(estimate.estimatedUsd)} (${estimate.units} ${estimate.unit}) and the AI provider budget for ${month} has ${usd(Math.max(0, budget! - spent))} of ${usd(budget!)} left; it resets at ${resetsAt.toISOString()} — ask the operator to raise providerUsdPerMonth for this tenant, or use a local engine`,
        Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)),
      );
    }
    if (max !== undefined) reserved = estimate.estimatedUsd;
  }
  // Attempts that failed after the provider did work (a model's answer that was not a plan) cost too.
  let failedUnits = 0;
  const settle = async (units: number) => {
    const actual = providerUsage(provider, units, price);
    if (actual.units > 0 || reserved)
      await store.addProviderSpend(scope.tenantId, month, actual, actual.estimatedUsd - reserved);
    if (scope.jobId) await meterProvider(scope.jobId, provider, actual.units, price);
  };
  let result: T;
  try {
    result = await withBackoff(
      () =>
        call().catch((err: unknown) => {
          failedUnits += unitsSpentBy(err);
          throw err;
        }),
      {
        onRetry: (err, attempt, waitMs) =>
          logger.warn('provider call retried', { provider, attempt, waitMs, error: (err as Error).message }),
        ...backoff,
      },
    );
  } catch (err) {
    await settle(failedUnits);
    throw err;
  }
  await settle(unitsOf(result) + failedUnits);
  return result;
}

/** Marks an error with the units the provider spent before it (tokens of an answer that was refused). */
export function spentUnits<E extends Error>(err: E, units: number): E {
  return Object.assign(err, { providerUnits: units });
}
const unitsSpentBy = (err: unknown): number => {
  const n = (err as { providerUnits?: unknown } | null)?.providerUnits;
  return typeof n === 'number' && n > 0 ? n : 0;
};

/** The caller of one scope (a job's, or a tenant's request without a job). */
export const callerFor =
  (scope: CallScope, backoff?: BackoffOptions): ProviderCaller =>
  (provider, estimatedUnits, call, unitsOf) =>
    providerCall(scope, provider, estimatedUnits, call, unitsOf, backoff);

/** Calls without a platform to meter on (the CLI on one machine): retried the same, counted nowhere. */
export const unmeteredCaller: ProviderCaller = (_provider, _estimate, call) => withBackoff(call);
