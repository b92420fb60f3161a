import { ENV } from '../config.js';
import { resolveLimits } from '../edit/limits.js';
import { parseAllowlist } from './allowlist.js';
import { SafeFetcher } from './fetch.js';

export { classifyAddress, type AddressVerdict } from './address.js';
export { hostAllowed, parseAllowlist } from './allowlist.js';
export { SafeFetcher, type SafeFetcherOptions } from './fetch.js';

/**
 * The fetcher the handlers use: the allowlist from CUTLINE_ALLOWED_SOURCE_HOSTS (empty refuses every https
 * source), the per-source size limit, 2 minutes and 5 redirects. It has no test switches by construction.
 */
export function sourceFetcherFromEnv(env: NodeJS.ProcessEnv = process.env): SafeFetcher {
  return new SafeFetcher({
    allowedHosts: parseAllowlist(env[ENV.ALLOWED_SOURCE_HOSTS]),
    maxBytes: resolveLimits().maxSourceBytes,
    timeoutMs: 120_000,
    maxRedirects: 5,
  });
}
