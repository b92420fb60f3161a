import type { MergeField } from './schema.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces `{{ find }}` (spaces optional) in every string of `value`. A string that is exactly one
 * placeholder takes the replacement's own type, so `"length": "{{LEN}}"` with `replace: 4` becomes a number.
 */
export function applyMerge<T>(value: T, fields: readonly MergeField[]): T {
  if (!fields.length) return value;
  const patterns = fields.map((f) => ({
    whole: new RegExp(`^\\{\\{\\s*${escapeRegExp(f.find)}\\s*\\}\\}$`),
    any: new RegExp(`\\{\\{\\s*${escapeRegExp(f.find)}\\s*\\}\\}`, 'g'),
    replace: f.replace,
  }));
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      for (const p of patterns) if (p.whole.test(v)) return p.replace;
      let s = v;
      for (const p of patterns) s = s.replace(p.any, () => String(p.replace));
      return s;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    }
    return v;
  };
  return visit(value) as T;
}
