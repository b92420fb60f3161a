import { validationError } from './errors.js';

/**
 * NUL and the other C0 control characters (all but tab, newline and carriage return) and DEL mean
 * nothing in any field of a request, and some break late: a NUL cuts an ffmpeg argument (`-metadata`,
 * a filter option) or a C string in the middle. Refused up front with the JSON path. Pure.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The path of the first string (or object key) carrying such a character, or null. */
export function controlCharPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return CONTROL.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = controlCharPath(v, `${path}[${i}]`);
      if (p !== null) return p;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      if (CONTROL.test(k)) return at;
      const p = controlCharPath(v, at);
      if (p !== null) return p;
    }
  }
  return null;
}

/** Throws VALIDATION_FAILED naming the first string with a NUL or another control character. */
export function assertNoControlChars(value: unknown): void {
  const path = controlCharPath(value);
  if (path !== null)
    throw validationError([
      { path, message: 'contains a NUL or another control character (only tab and newlines are allowed)' },
    ]);
}
