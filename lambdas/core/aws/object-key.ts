/**
 * Object keys a tenant names (s3:// URLs, bare keys under inputs/, project assets, template sources,
 * drop manifests). S3 itself treats a key as opaque bytes, but every client in between may not: an HTTP
 * stack or a local server that normalises `inputs/B/../A/x` to `inputs/A/x`, or decodes `%2e%2e` or a
 * backslash, lets a key that passed the tenant-prefix check read another tenant's object. So the only
 * keys accepted are those with nothing to normalise. Pure.
 */
const MAX_KEY_BYTES = 1024; // S3's limit

/** Why the key is refused, or undefined when it is a plain key. */
export function keyProblem(key: string): string | undefined {
  if (!key) return 'the key is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'the key contains a NUL or another control character';
  if (key.includes('\\')) return 'the key contains a backslash';
  if (/%[0-9a-f]{2}/i.test(key))
    return 'the key contains percent-encoding (e.g. %2e or %2f); use the plain characters';
  for (const segment of key.split('/')) {
    if (segment === '') return 'the key has an empty path segment (// or a leading or trailing /)';
    if (segment === '.' || segment === '..') return `the key contains a relative path segment ("${segment}")`;
  }
  return undefined;
}
