import { CutlineError } from '../errors.js';
import { TRANSIENT_ERRORS } from './retry.js';

/**
 * A provider's refusal as a job error a person can act on. Transient errors are retried with backoff
 * (withBackoff in providers/retry.ts, around every metered call); what still fails is one of:
 * - throttling or an outage: retryable (the state machine retries the step with backoff), says so;
 * - access denied / model not enabled: NOT_SUPPORTED, naming what to enable in the account;
 * - a content filter or invalid input: VALIDATION_FAILED with the service's reason.
 */
export function refusal(service: string, err: unknown): CutlineError {
  if (err instanceof CutlineError) return err;
  const e = err as { name?: string; message?: string };
  const name = e.name ?? 'Error';
  const why = e.message ?? String(err);
  if (TRANSIENT_ERRORS.has(name))
    return new CutlineError(
      'RENDER_FAILED',
      `${service} is busy or throttling (${name}): ${why}; the step is retried with backoff — if it keeps failing, raise the service's quota for this account (Service Quotas) or try later`,
      [],
      true,
    );
  if (
    name === 'AccessDeniedException' ||
    name === 'UnrecognizedClientException' ||
    name === 'ResourceNotFoundException'
  )
    return new CutlineError(
      'NOT_SUPPORTED',
      `${service} refused the call (${name}): ${why}. Enable the service or model in this account and region (for Bedrock: Model access in the console), or choose another provider`,
    );
  if (
    name === 'ValidationException' ||
    name === 'BadRequestException' ||
    name === 'InvalidSsmlException' ||
    name === 'TextLengthExceededException'
  )
    return new CutlineError('VALIDATION_FAILED', `${service} refused the input (${name}): ${why}`);
  return new CutlineError('RENDER_FAILED', `${service} failed (${name}): ${why}`);
}
