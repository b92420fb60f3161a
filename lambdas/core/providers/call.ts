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
  const reserved = await reserveProviderSpend(scope, provider, estimatedUnits, now);
  // Attempts that failed after the provider did work (a model's answer that was not a plan) cost too.
  let failedUnits = 0;
  const settle = async (units: number) => {
    await settleProviderSpend(scope, provider, units, reserved, now);
    if (scope.jobId)
      await meterProvider(scope.jobId, provider, providerUsage(provider, units, price).units, price);
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

/**
 * Reserves a call's estimated cost on the tenant's month before it is made (one conditional write) and
 * returns the USD reserved: 0 where the call costs nothing or the tenant has no provider budget. A call
 * the `providerUsdPerMonth` quota has no room for is refused with QUOTA_EXCEEDED, nothing reserved.
 * Work billed later (a generation started now and finished in a later poll) reserves here and settles
 * with settleProviderSpend when it ends.
 */
export async function reserveProviderSpend(
  scope: CallScope,
  provider: ProviderName,
  estimatedUnits: number,
  now = new Date(),
): Promise<number> {
  const estimate = providerUsage(provider, estimatedUnits, unitPrice(provider));
  if (estimate.estimatedUsd <= 0) return 0;
  const month = monthOf(now).from.slice(0, 7);
  const store = usageStore();
  const budget = (await quotaFor(scope.tenantId))?.providerUsdPerMonth;
  if (budget === undefined) return 0;
  const max = budget - estimate.estimatedUsd;
  if (max < 0 || !(await store.reserveProviderSpend(scope.tenantId, month, estimate.estimatedUsd, max))) {
    const spent = (await store.getProviderSpend(scope.tenantId, month)).usd;
    const resetsAt = monthOf(now).resetsAt;
    throw new QuotaExceededError(
      `${PROVIDER_LABELS[provider]} was not called: this call is estimated at ${usd(estimate.estimatedUsd)} (${estimate.units} ${estimate.unit}) and the AI provider budget for ${month} has ${usd(Math.max(0, budget - spent))} of ${usd(budget)} left; it resets at ${resetsAt.toISOString()} — ask the operator to raise providerUsdPerMonth for this tenant, or use a local engine`,
      Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)),
    );
  }
  return estimate.estimatedUsd;
}

/**
 * Settles a reservation with what the work used (0 units when it failed and is not billed): the month's
 * units and cost per provider grow by it, its total by the difference from what was reserved.
 */
export async function settleProviderSpend(
  scope: CallScope,
  provider: ProviderName,
  units: number,
  reservedUsd: number,
  now = new Date(),
): Promise<void> {
  const actual = providerUsage(provider, units, unitPrice(provider));
  if (actual.units <= 0 && !reservedUsd) return;
  const month = monthOf(now).from.slice(0, 7);
  await usageStore().addProviderSpend(scope.tenantId, month, actual, actual.estimatedUsd - reservedUsd);
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
