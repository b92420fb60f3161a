/**
 * EventBridge pattern matching for the local bus: exact values (arrays: any of), nested objects, and the
 * content filters `prefix`, `suffix`, `anything-but`, `exists`, `numeric` and `equals-ignore-case`.
 */
type Pattern = { [key: string]: Pattern | unknown[] };

function matchValue(rule: unknown, value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (rule === null || typeof rule !== 'object') return present && values.some((v) => v === rule);
  const r = rule as Record<string, unknown>;
  if ('exists' in r) return r.exists === present;
  if (!present) return false;
  if ('prefix' in r) return values.some((v) => typeof v === 'string' && v.startsWith(String(r.prefix)));
  if ('suffix' in r) return values.some((v) => typeof v === 'string' && v.endsWith(String(r.suffix)));
  if ('equals-ignore-case' in r)
    return values.some(
      (v) => typeof v === 'string' && v.toLowerCase() === String(r['equals-ignore-case']).toLowerCase(),
    );
  if ('anything-but' in r) {
    const but = r['anything-but'];
    if (but && typeof but === 'object' && !Array.isArray(but) && 'prefix' in but) {
      return values.every(
        (v) => !(typeof v === 'string' && v.startsWith(String((but as { prefix: unknown }).prefix))),
      );
    }
    const list = Array.isArray(but) ? but : [but];
    return values.every((v) => !list.includes(v));
  }
  if ('numeric' in r) {
    const ops = r.numeric as unknown[];
    return values.some((v) => {
      if (typeof v !== 'number') return false;
      for (let i = 0; i < ops.length; i += 2) {
        const n = ops[i + 1] as number;
        const ok = { '<': v < n, '<=': v <= n, '=': v === n, '>': v > n, '>=': v >= n }[String(ops[i])];
        if (!ok) return false;
      }
      return true;
    });
  }
  throw new Error(`unsupported pattern rule ${JSON.stringify(rule)}`);
}

export function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const present = event !== null && typeof event === 'object' && key in event;
    const value = present ? event[key] : undefined;
    if (Array.isArray(rule))
      return rule.length === 0 ? false : rule.some((r) => matchValue(r, value, present));
    if (rule && typeof rule === 'object') {
      return (
        present &&
        value !== null &&
        typeof value === 'object' &&
        matches(rule as Pattern, value as Record<string, unknown>)
      );
    }
    throw new Error(`pattern field "${key}" must be an array or an object`);
  });
}

export type { Pattern };
