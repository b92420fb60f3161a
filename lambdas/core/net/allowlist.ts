import { ENV } from '../config.js';

/**
 * The hosts https sources may come from (env CUTLINE_ALLOWED_SOURCE_HOSTS, comma-separated). An entry is
 * an exact host name (`media.example.com`) or a wildcard for its subdomains (`*.example.com`, which does
 * not match `example.com` itself). Empty refuses every https source. Matching is on the URL's host name,
 * lower-cased, never on a resolved address.
 */
export type HostAllowlist = readonly string[];

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export function parseAllowlist(value: string | undefined): HostAllowlist {
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  for (const e of entries) {
    // A bare "*" or a pattern in the middle would silently open far more than meant.
    if (!HOST.test(e))
      throw new Error(
        `${ENV.ALLOWED_SOURCE_HOSTS}: "${e}" is not a host name or *.domain (entries are comma-separated)`,
      );
  }
  return entries;
}

export function hostAllowed(hostname: string, list: HostAllowlist): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return list.some((e) =>
    e.startsWith('*.') ? host.endsWith(e.slice(1)) && host.length > e.length - 1 : e === host,
  );
}
