import { tenantSources } from '../objects/tenant-sources.js';
import { assertNoControlChars } from '../json-strings.js';
import { assertWebhookUrl } from '../webhooks/target.js';
import type { JobKind, JobType } from '../jobs/types.js';
import { jobKind } from '../kinds/registry.js';

/**
 * Checks a job request without writing or starting anything: the kind's schema (errors with JSON paths),
 * the callback URL's static checks, and every source the tenant may read (https names resolved and
 * vetted). `submitJob` starts with this, so a client validating first (POST /v1/validate) sees the very errors a submit would give.
 */
export async function validateJob(req: { tenantId: string; type: JobType | string; body: unknown }): Promise<{
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  kind: JobKind<any>;
  request: unknown;
  sources: number;
}> {
  const kind = jobKind(req.type);
  assertNoControlChars(req.body);
  const request = kind.parse(req.body);
  // A callback that is refused whatever DNS says (scheme, credentials, a literal private address) is a 400.
  const callback = kind.callback?.(request);
  if (callback) assertWebhookUrl(callback, 'callback');
  const resolver = tenantSources(req.tenantId);
  const refs = kind.sources(request);
  for (const ref of refs) await resolver.check(ref.src, ref.at);
  return { kind, request, sources: refs.length };
}
