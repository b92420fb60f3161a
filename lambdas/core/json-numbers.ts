import { CutlineError } from './errors.js';

/**
 * The path of the first number in `value` outside ±Number.MAX_SAFE_INTEGER, or null. JSON allows any
 * number, but such a value cannot be stored exactly (DynamoDB's document client refuses it) and no field
 * of a request means anything that large, so requests carrying one are refused up front with its path.
 */
export function unsafeNumberPath(value: unknown, path = ''): string | null {
  if (typeof value === 'number') return Math.abs(value) > Number.MAX_SAFE_INTEGER ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = unsafeNumberPath(v, `${path}[${i}]`);
      if (p !== null) return p;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = unsafeNumberPath(v, path ? `${path}.${k}` : k);
      if (p !== null) return p;
    }
  }
  return null;
}

/** Throws VALIDATION_FAILED naming the first number too large to store exactly. */
export function assertSafeNumbers(value: unknown): void {
  const path = unsafeNumberPath(value);
  if (path !== null)
    throw new CutlineError(
      'VALIDATION_FAILED',
      `${path || '(root)'}: the number is beyond ±${Number.MAX_SAFE_INTEGER} and cannot be kept exactly`,
      [{ path, message: 'number out of range' }],
    );
}
