import type { Resolve } from '../net/fetch.js';
import { postToTarget } from './post.js';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, type EventEnvelope } from './signature.js';
import { vetWebhookTarget, WebhookRefusedError, type WebhookPolicy } from './target.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface AttemptOptions {
  policy: WebhookPolicy;
  /** The name resolver (tests point a name they control at an address). Default: the OS resolver. */
  resolve?: Resolve;
  timeoutMs?: number;
  /** Tests only: the CA of a local https receiver. */
  ca?: string;
}

/** How one attempt went. `retry: false` means no later attempt can do better (a refused target). */
export type AttemptResult =
  { ok: true; status: number } | { ok: false; retry: boolean; reason: string; status?: number };

/**
 * The signature header for every current secret: `v1=<new>,v1=<old>` during a rotation's grace period,
 * so a receiver that knows either secret verifies (lambdas/core/webhooks/signature.ts accepts any).
 */
export function signAll(
  body: string,
  secrets: readonly string[],
  timestamp?: number,
): Record<string, string> {
  if (!secrets.length) throw new Error('no webhook signing secret');
  const signed = secrets.map((s) => signWebhook(body, s, timestamp ?? Math.floor(Date.now() / 1000)));
  return {
    [TIMESTAMP_HEADER]: signed[0]![TIMESTAMP_HEADER],
    [SIGNATURE_HEADER]: signed.map((h) => h[SIGNATURE_HEADER]).join(','),
  };
}

/**
 * One delivery attempt: vet the target (scheme, credentials, every resolved address), then POST the
 * envelope signed with `secrets` and a fresh timestamp. Any 2xx is success; any other status, a network
 * error or a timeout is a failure worth retrying; a refused target is not.
 */
export async function attemptDelivery(
  url: string,
  envelope: EventEnvelope<unknown>,
  secrets: readonly string[],
  opts: AttemptOptions,
): Promise<AttemptResult> {
  const body = JSON.stringify(envelope);
  let target;
  try {
    target = await vetWebhookTarget(url, opts.policy, opts.resolve);
  } catch (err) {
    return { ok: false, retry: !(err instanceof WebhookRefusedError), reason: (err as Error).message };
  }
  try {
    const status = await postToTarget(
      target,
      body,
      { 'content-type': 'application/json', 'user-agent': 'cutline-webhooks/1', ...signAll(body, secrets) },
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      opts.ca,
    );
    if (status >= 200 && status < 300) return { ok: true, status };
    return { ok: false, retry: true, reason: `HTTP ${status}`, status };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, retry: true, reason: [e.message, e.code].filter(Boolean).join(': ') };
  }
}
