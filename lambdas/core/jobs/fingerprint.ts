import { createHash } from 'node:crypto';

/** JSON with every object's keys sorted, so the same body always prints the same (key order is no change). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What an Idempotency-Key is bound to: the tenant, the route (with its path parameters) and the body as
 * the client sent it, hashed. A retry carries the same fingerprint; the same key with any other body is a
 * client bug that must not silently return the first job (IDEMPOTENCY_KEY_REUSED, 422).
 */
export function requestFingerprint(tenantId: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([tenantId, route, body ?? null]))
    .digest('base64url');
}
