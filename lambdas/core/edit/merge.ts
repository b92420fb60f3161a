import type { MergeField } from './schema.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matchers(fields: readonly MergeField[]) {
  // Later fields win, as when the CLI's --merge is added after an edit's own fields.
  const byName = new Map(fields.map((f) => [f.find, f.replace]));
  const names = [...byName.keys()].map(escapeRegExp).join('|');
  const any = new RegExp(`\\{\\{\\s*(${names})\\s*\\}\\}`, 'g');
  const whole = new RegExp(`^\\{\\{\\s*(${names})\\s*\\}\\}$`);
  return { byName, any, whole };
}

/** Bytes a value takes in JSON (a string's escapes counted). */
const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/**
 * The JSON size `value` would have after `applyMerge`, counted without building a single merged string:
 * each placeholder adds its replacement's size less its own. So a request of 200 placeholders × 200
 * fields of 1 MB is measured (and refused) in the time it takes to scan it, not after allocating it.
 */
export function mergedJsonBytes(value: unknown, fields: readonly MergeField[]): number {
  const base = jsonBytes(value);
  if (!fields.length) return base;
  const { byName, any, whole } = matchers(fields);
  // A replacement inside a string: its escaped bytes without the quotes.
  const inner = new Map([...byName].map(([k, r]) => [k, jsonBytes(String(r)) - 2]));
  let delta = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const w = whole.exec(v);
      if (w) {
        delta += jsonBytes(byName.get(w[1]!)) - jsonBytes(v);
        continue;
      }
      any.lastIndex = 0;
      for (let m = any.exec(v); m; m = any.exec(v)) delta += inner.get(m[1]!)! - jsonBytes(m[0]) + 2;
    } else if (v && typeof v === 'object') {
      for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push(x);
    }
  }
  return base + delta;
}

/**
 * Replaces `{{ find }}` (spaces optional) in every string of `value`, in one pass: a replacement is
 * inserted literally, never merged again. A string that is exactly one placeholder takes the
 * replacement's own type, so `"length": "{{LEN}}"` with `replace: 4` becomes a number.
 */
export function applyMerge<T>(value: T, fields: readonly MergeField[]): T {
  if (!fields.length) return value;
  const { byName, any, whole } = matchers(fields);
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

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** `{{ NAME }}` placeholders in every string of `value` but its `merge`, in first-seen order. */
export function placeholderNames(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PLACEHOLDER)) if (!out.includes(m[1]!)) out.push(m[1]!);
  } else if (Array.isArray(value)) for (const v of value) placeholderNames(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (k !== 'merge') placeholderNames(v, out);
  return out;
}

/**
 * A template's required merge fields: placeholders its own `merge` gives no default for. Rendered
 * without a value they would stay as `{{ NAME }}` in the video, so a render must supply each one.
 */
export function requiredMergeFields(edit: Record<string, unknown>): string[] {
  const defaults = new Set(
    (Array.isArray(edit.merge) ? (edit.merge as unknown[]) : [])
      .map((m) => (m && typeof m === 'object' ? (m as { find?: unknown }).find : undefined))
      .filter((f): f is string => typeof f === 'string'),
  );
  return placeholderNames(edit).filter((n) => !defaults.has(n));
}

/**
 * Problems with the values given for a template's required fields: one missing (path `merge`) or given
 * empty (path `merge[i].replace`), each naming the field.
 */
export function missingRequiredMerge(
  required: readonly string[],
  given: readonly MergeField[],
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const name of required) {
    // The last value for a name wins (applyMerge), so that is the one checked.
    const i = given.findLastIndex((g) => g.find === name);
    if (i < 0)
      problems.push({ path: 'merge', message: `${name} is required: the template has no default for it` });
    else if (String(given[i]!.replace).trim() === '')
      problems.push({ path: `merge[${i}].replace`, message: `${name} is required and must not be empty` });
  }
  return problems;
}
