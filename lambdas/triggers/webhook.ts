import type { EventBridgeEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { getPlatform } from '../core/platform.js';
import { wantsCallback } from '../core/jobs/model.js';
import { signWebhook, type EventEnvelope } from '../core/webhooks/signature.js';

const logger = new Logger({ serviceName: 'cutline-webhooks' });

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The URL can never be delivered to (not http(s), or not a URL): retrying will not help. */
export class WebhookUrlError extends Error {
  override readonly name = 'WebhookUrlError';
}

/** Every attempt failed; `attempts` were made and `lastError` says how the last one went. */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly lastError: string,
    readonly status?: number,
  ) {
    super(`webhook ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError}`);
  }
}

export interface DeliveryOptions {
  /** Tries in all, the first included. Default 4. */
  attempts?: number;
  /** Wait before the 2nd try; doubles each time (base, 2×base, 4×base, …), capped by maxDelayMs. Default 500. */
  baseDelayMs?: number;
  /** Cap on one wait. Default 30 s. */
  maxDelayMs?: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  /** Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Called after each failed attempt (logging, tests). */
  onAttemptFailed?: (attempt: number, error: string) => void;
}

export interface DeliveryResult {
  attempts: number;
  status: number;
}

/** Refuses anything but an absolute http(s) URL, with a WebhookUrlError. */
export function assertWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError(`webhook URL is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new WebhookUrlError(`webhook URL must be http(s), got ${parsed.protocol} (${url})`);
  return parsed;
}

/**
 * POSTs `envelope` as JSON to `url`, signed with `secret` (a fresh timestamp on every attempt, so a late
 * retry is still inside the receiver's tolerance). Any 2xx is success; a network error, a timeout or any
 * other status (redirects are not followed) is a failed attempt, retried with exponential backoff.
 * Resolves with the attempt that succeeded; rejects with WebhookDeliveryError after the last one, or at
 * once with WebhookUrlError for a URL that is not http(s).
 */
export async function deliverWebhook(
  url: string,
  envelope: EventEnvelope<unknown>,
  secret: string,
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  assertWebhookUrl(url);
  if (!secret) throw new Error('deliverWebhook: the signing secret is empty');
  const attempts = Math.max(1, Math.floor(opts.attempts ?? 4));
  const base = opts.baseDelayMs ?? 500;
  const doFetch = opts.fetchImpl ?? fetch;
  const body = JSON.stringify(envelope);
  let last = '';
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'cutline-webhooks/1',
          ...signWebhook(body, secret),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      // Drain the body so the connection can be reused; its content does not matter.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { attempts: attempt, status: res.status };
      lastStatus = res.status;
      last = `HTTP ${res.status}`;
    } catch (err) {
      lastStatus = undefined;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      last =
        e.name === 'TimeoutError'
          ? 'timed out'
          : [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
    }
    opts.onAttemptFailed?.(attempt, last);
    if (attempt < attempts)
      await new Promise((r) => setTimeout(r, Math.min(base * 2 ** (attempt - 1), opts.maxDelayMs ?? 30_000)));
  }
  throw new WebhookDeliveryError(url, attempts, last, lastStatus);
}

/**
 * EventBridge rule target (lib/events.ts: Job Succeeded / Failed / Cancelled → this function): posts the
 * event envelope, signed, to the job's `callback`.
 *
 * One attempt per invocation: a failure throws, so Lambda's asynchronous retries (with backoff, up to the
 * rule's retry policy and maximum event age) and then the dead-letter queue take over. A callback that is
 * not http(s) is logged and dropped instead, since no retry can fix it.
 *
 * The signing secret is the deployment's `CUTLINE_WEBHOOK_SECRET`, one for all tenants for now; per-tenant
 * secrets (looked up by `event.detail.tenantId`) are the planned next step, and the signature format does
 * not change with them.
 */
export async function handler(
  event: EventBridgeEvent<string, { jobId?: string; tenantId?: string }>,
): Promise<{ delivered: boolean }> {
  const jobId = event.detail?.jobId;
  if (!jobId) {
    logger.warn('event without a jobId; nothing to deliver', { id: event.id });
    return { delivered: false };
  }
  const job = await getPlatform().jobs.get(jobId);
  if (!job?.callback) {
    logger.info(job ? 'job has no callback' : 'no such job', { jobId });
    return { delivered: false };
  }
  if (!wantsCallback(job, event['detail-type'])) return { delivered: false };
  const secret = process.env.CUTLINE_WEBHOOK_SECRET;
  if (!secret) throw new Error('CUTLINE_WEBHOOK_SECRET is not set');
  try {
    const { status } = await deliverWebhook(job.callback, event, secret, { attempts: 1 });
    logger.info('delivered', { jobId, detailType: event['detail-type'], status });
    return { delivered: true };
  } catch (err) {
    if (err instanceof WebhookUrlError) {
      logger.error('undeliverable callback', { jobId, error: err.message });
      return { delivered: false };
    }
    logger.warn('delivery failed; Lambda will retry', { jobId, error: (err as Error).message });
    throw err;
  }
}
