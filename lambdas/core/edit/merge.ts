import type { MergeField } from './schema.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces `{{ find }}` (spaces optional) in every string of `value`, in one pass: a replacement is
 * inserted literally, never merged again. A string that is exactly one placeholder takes the
 * replacement's own type, so `"length": "{{LEN}}"` with `replace: 4` becomes a number.
 */
export function applyMerge<T>(value: T, fields: readonly MergeField[]): T {
  if (!fields.length) return value;
  // Later fields win, as when the CLI's --merge is added after an edit's own fields.
  const byName = new Map(fields.map((f) => [f.find, f.replace]));
  const names = [...byName.keys()].map(escapeRegExp).join('|');
  const any = new RegExp(`\\{\\{\\s*(${names})\\s*\\}\\}`, 'g');
  const whole = new RegExp(`^\\{\\{\\s*(${names})\\s*\\}\\}$`);
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const w = whole.exec(v);
      if (w) return byName.get(w[1]!);
      return v.replace(any, (_, name: string) => String(byName.get(name)));
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    }
    return v;
  };
  return visit(value) as T;
}
