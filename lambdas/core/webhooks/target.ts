import { ENV } from '../config.js';
import { CutlineError } from '../errors.js';
import { classifyAddress, ipLiteral } from '../net/address.js';
import { osResolve, type ResolvedAddress, type Resolve } from '../net/fetch.js';

/**
 * Where a webhook may be posted (SSRF): the same address rules as sources (lambdas/core/net/address.ts —
 * private, loopback, link-local/metadata, CGNAT, ULA, IPv4-in-IPv6 and reserved ranges are refused).
 * `allowLoopback` is the development opt-in for a receiver on this machine; nothing else opens.
 */
export interface WebhookPolicy {
  allowLoopback: boolean;
}

export const STRICT_POLICY: WebhookPolicy = { allowLoopback: false };

/** The policy of this deployment: loopback only with CUTLINE_WEBHOOK_ALLOW_LOOPBACK=true (never in AWS). */
export const webhookPolicyFromEnv = (env: NodeJS.ProcessEnv = process.env): WebhookPolicy => ({
  allowLoopback: env[ENV.WEBHOOK_ALLOW_LOOPBACK] === 'true',
});

/** A target no retry can fix (refused scheme, address or name): the delivery fails with this reason. */
export class WebhookRefusedError extends Error {
  override readonly name = 'WebhookRefusedError';
}

function addressProblem(address: string, policy: WebhookPolicy): string | undefined {
  const verdict = classifyAddress(address);
  if (verdict.public) return undefined;
  if (policy.allowLoopback && verdict.reason === 'loopback') return undefined;
  const hint =
    verdict.reason === 'loopback'
      ? ` (a development platform allows local receivers: cutline start --allow-local-webhooks, i.e. ${ENV.WEBHOOK_ALLOW_LOOPBACK}=true)`
      : '';
  return `${address} is ${verdict.reason}; webhooks go to public addresses only${hint}`;
}

/**
 * What is knowable without the network: an absolute http(s) URL, no credentials in it, and, when the host
 * is an IP literal in any notation (the URL parser normalizes hex, octal, decimal and short forms), a
 * public address. Returns the problem, or undefined.
 */
export function webhookUrlProblem(url: string, policy: WebhookPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `must be http(s), not ${parsed.protocol.slice(0, -1)}`;
  if (parsed.username || parsed.password) return 'credentials in the URL are refused';
  const literal = ipLiteral(parsed.hostname);
  return literal ? addressProblem(literal, policy) : undefined;
}

/** Submit-time check: a refused callback is a 400 at `at` (`callback`). */
export function assertWebhookUrl(url: string, at: string, policy = webhookPolicyFromEnv()): void {
  const problem = webhookUrlProblem(url, policy);
  if (problem)
    throw new CutlineError('VALIDATION_FAILED', `${at}: ${problem}`, [{ path: at, message: problem }]);
}

export interface VettedTarget {
  url: URL;
  /** The address the POST connects to: resolved once here, never again. */
  address: ResolvedAddress;
}

/**
 * Delivery-time check: `webhookUrlProblem`, then the name resolved once; every answer must pass (a name
 * with one private answer is refused). Throws WebhookRefusedError (permanent) or, for a lookup that failed,
 * a plain Error (retryable: DNS may recover).
 */
export async function vetWebhookTarget(
  url: string,
  policy: WebhookPolicy,
  resolve: Resolve = osResolve,
): Promise<VettedTarget> {
  const problem = webhookUrlProblem(url, policy);
  if (problem) throw new WebhookRefusedError(problem);
  const parsed = new URL(url);
  const literal = ipLiteral(parsed.hostname);
  if (literal) return { url: parsed, address: { address: literal, family: literal.includes(':') ? 6 : 4 } };
  let answers: ResolvedAddress[];
  try {
    answers = await resolve(parsed.hostname);
  } catch (err) {
    throw new Error(
      `cannot resolve ${parsed.hostname}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  if (!answers.length) throw new Error(`${parsed.hostname} has no addresses`);
  for (const a of answers) {
    const p = addressProblem(a.address, policy);
    if (p) throw new WebhookRefusedError(`${parsed.hostname} resolves to ${p}`);
  }
  return { url: parsed, address: answers[0]! };
}
