/**
 * Amazon EventBridge event patterns, evaluated locally, so that a subscriber's pattern selects the same
 * events on the laptop as the equivalent rule does on AWS.
 *
 * Semantics (those of EventBridge and its matcher, aws/event-ruler):
 * - A pattern names fields; every named field must match (AND). A field's rule list matches when any of
 *   its entries matches (OR). Fields the pattern does not name are ignored.
 * - Nested objects in the pattern walk into nested objects of the event.
 * - Matching happens on leaves (strings, numbers, booleans, null). An array in the event is a set of
 *   leaves: the field matches when any element matches. An array of objects is "crushed": a nested
 *   pattern matches when one element satisfies all of it (array-consistent, like `rulesForJSONEvent`).
 * - A field that is missing (or is an object, which is not a leaf, or an empty array) has no values: only
 *   `{ "exists": false }` matches it; every other rule, `anything-but` included, needs a value.
 * - `null` and `""` are ordinary values and are not interchangeable; `"5"` does not match `5`.
 * - `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` only match strings; `numeric` only
 *   matches JSON numbers.
 * - `anything-but` matches a value that is none of the listed ones; against an array it matches when any
 *   element is not excluded (as in EventBridge, where `["a","b"]` matches `{"anything-but":"a"}`).
 * - `$or: [pattern, pattern, …]` (two or more) matches when any of the sub-patterns does.
 *
 * Not supported locally: IPv6 in `cidr`.
 */

export type PatternScalar = string | number | boolean | null;

export type ContentFilter =
  | { prefix: string | { 'equals-ignore-case': string } }
  | { suffix: string | { 'equals-ignore-case': string } }
  | { 'equals-ignore-case': string }
  | { wildcard: string }
  | { exists: boolean }
  | { numeric: Array<string | number> }
  | { cidr: string }
  | {
      'anything-but':
        | string
        | number
        | string[]
        | number[]
        | { prefix: string }
        | { suffix: string }
        | { 'equals-ignore-case': string | string[] }
        | { wildcard: string | string[] };
    };

export interface EventPattern {
  [field: string]: Array<PatternScalar | ContentFilter> | EventPattern | EventPattern[];
}

const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'exists',
  'numeric',
  'cidr',
  'anything-but',
] as const;
const NUMERIC_OPS = ['<', '<=', '=', '>', '>='] as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

const isScalar = (v: unknown): v is PatternScalar =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && isFinite(v));

/** `$or` is the OR primitive only when it holds an array of objects (otherwise it is an ordinary field). */
const isOr = (key: string, rule: unknown): rule is Json[] =>
  key === '$or' && Array.isArray(rule) && rule.length > 0 && rule.every(isObject);

/** The leaf values at a field: none when missing or an object; an array's leaves, flattened. */
function leaves(value: unknown, present: boolean): unknown[] {
  if (!present || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, true));
  return isObject(value) ? [] : [value];
}

/** The objects a nested pattern is matched against: the object, or the objects inside an array. */
function objects(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(objects);
  return isObject(value) ? [value] : [];
}

function matchFields(pattern: Json, node: Json): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (isOr(key, rule)) {
      if (!rule.some((sub) => matchFields(sub, node))) return false;
    } else if (Array.isArray(rule)) {
      const values = leaves(node[key], Object.hasOwn(node, key));
      if (!rule.some((r) => matchRule(r, values))) return false;
    } else if (isObject(rule)) {
      const candidates = objects(node[key]);
      // No object there: the nested pattern still matches if it only asks for absent fields.
      if (candidates.length === 0 ? !matchFields(rule, {}) : !candidates.some((c) => matchFields(rule, c)))
        return false;
    } else {
      throw new Error(`event pattern field "${key}" must be an array of rules or an object`);
    }
  }
  return true;
}

function matchRule(rule: unknown, values: unknown[]): boolean {
  if (!isObject(rule)) return values.some((v) => v === rule);
  const [op, arg] = Object.entries(rule)[0] ?? [];
  switch (op) {
    case 'exists':
      return arg === values.length > 0;
    case 'prefix':
      return values.some((v) => typeof v === 'string' && caseAware(arg, (p, fold) => fold(v).startsWith(p)));
    case 'suffix':
      return values.some((v) => typeof v === 'string' && caseAware(arg, (s, fold) => fold(v).endsWith(s)));
    case 'equals-ignore-case':
      return values.some((v) => typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase());
    case 'wildcard':
      return values.some((v) => typeof v === 'string' && wildcardRegExp(String(arg)).test(v));
    case 'cidr':
      return values.some((v) => typeof v === 'string' && inCidr(v, String(arg)));
    case 'numeric':
      return values.some((v) => typeof v === 'number' && numericHolds(arg as unknown[], v));
    case 'anything-but':
      return values.some((v) => !excludedBy(arg, v));
    default:
      throw new Error(`unknown event pattern operator ${JSON.stringify(op)}`);
  }
}

/** `prefix`/`suffix` take a string, or `{ "equals-ignore-case": string }`. */
function caseAware(arg: unknown, test: (needle: string, fold: (s: string) => string) => boolean): boolean {
  if (isObject(arg)) return test(String(arg['equals-ignore-case']).toLowerCase(), (s) => s.toLowerCase());
  return test(String(arg), (s) => s);
}

function excludedBy(but: unknown, v: unknown): boolean {
  if (!isObject(but)) return (Array.isArray(but) ? but : [but]).includes(v);
  if (typeof v !== 'string') return false;
  const [op, arg] = Object.entries(but)[0] ?? [];
  const list = (Array.isArray(arg) ? arg : [arg]).map(String);
  switch (op) {
    case 'prefix':
      return v.startsWith(String(arg));
    case 'suffix':
      return v.endsWith(String(arg));
    case 'equals-ignore-case':
      return list.some((x) => x.toLowerCase() === v.toLowerCase());
    case 'wildcard':
      return list.some((x) => wildcardRegExp(x).test(v));
    default:
      throw new Error(`unknown anything-but operator ${JSON.stringify(op)}`);
  }
}

function numericHolds(ops: unknown[], v: number): boolean {
  for (let i = 0; i < ops.length; i += 2) {
    const n = Number(ops[i + 1]);
    const ok =
      ops[i] === '<'
        ? v < n
        : ops[i] === '<='
          ? v <= n
          : ops[i] === '='
            ? v === n
            : ops[i] === '>'
              ? v > n
              : v >= n;
    if (!ok) return false;
  }
  return true;
}

const wildcardCache = new Map<string, RegExp>();
/** `*` matches any run of characters; `\*` is a literal asterisk and `\\` a literal backslash. */
function wildcardRegExp(glob: string): RegExp {
  let re = wildcardCache.get(glob);
  if (!re) {
    let src = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i]!;
      if (c === '\\') src += escapeRegExp(glob[++i] ?? '');
      else src += c === '*' ? '.*' : escapeRegExp(c);
    }
    re = new RegExp(`^${src}$`, 's');
    wildcardCache.set(glob, re);
  }
  return re;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function ipv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const base = m ? ipv4(m[1]!) : ipv4(cidr);
  const bits = m ? Number(m[2]) : 32;
  return base === undefined || bits > 32 ? undefined : { base, bits };
}

function inCidr(ip: string, cidr: string): boolean {
  const addr = ipv4(ip);
  const range = parseCidr(cidr);
  if (addr === undefined || !range) return false;
  const block = 2 ** (32 - range.bits);
  return Math.floor(addr / block) === Math.floor(range.base / block);
}

/**
 * Whether `event` (an EventBridge envelope `{ version, id, detail-type, source, account, time, region,
 * resources, detail }`, or any JSON object) matches `pattern`. Pure; throws only on an unknown operator
 * (run `validatePattern` first for a full check with a clear message).
 */
export function matches(pattern: EventPattern, event: unknown): boolean {
  return matchFields(pattern as unknown as Json, isObject(event) ? event : {});
}

/** Throws an Error that names the offending path when `pattern` is not a valid EventBridge pattern. */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  checkObject(pattern, 'pattern');
}

function fail(path: string, message: string): never {
  throw new Error(`invalid event pattern at ${path}: ${message}`);
}

function checkObject(p: unknown, path: string): void {
  if (!isObject(p)) fail(path, `expected an object of fields, got ${JSON.stringify(p)}`);
  const entries = Object.entries(p);
  if (entries.length === 0) fail(path, 'an empty object matches nothing; name at least one field');
  for (const [key, rule] of entries) {
    const at = `${path}.${key}`;
    if (key === '$or' && Array.isArray(rule) && rule.some(isObject)) {
      if (rule.length < 2) fail(at, '"$or" needs at least two sub-patterns');
      rule.forEach((sub, i) => checkObject(sub, `${at}[${i}]`));
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) fail(at, 'an empty list matches nothing; give at least one value or filter');
      rule.forEach((r, i) => checkRule(r, `${at}[${i}]`));
    } else if (isObject(rule)) {
      checkObject(rule, at);
    } else {
      fail(
        at,
        `a field's value must be a list of values/filters or a nested object, got ${JSON.stringify(rule)}`,
      );
    }
  }
}

function checkRule(r: unknown, at: string): void {
  if (isScalar(r)) return;
  if (!isObject(r))
    fail(at, `expected a string, number, boolean, null or a filter object, got ${JSON.stringify(r)}`);
  const keys = Object.keys(r);
  if (keys.length !== 1)
    fail(at, `a filter object has exactly one operator, got ${keys.length ? keys.join(', ') : 'none'}`);
  const op = keys[0]!;
  const arg = r[op];
  const str = (v: unknown, what: string) => {
    if (typeof v !== 'string') fail(at, `"${what}" takes a string, got ${JSON.stringify(v)}`);
  };
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (isObject(arg)) {
        if (Object.keys(arg).join() !== 'equals-ignore-case')
          fail(at, `"${op}" takes a string or { "equals-ignore-case": string }`);
        str(arg['equals-ignore-case'], `${op}.equals-ignore-case`);
      } else str(arg, op);
      return;
    case 'equals-ignore-case':
      return str(arg, op);
    case 'wildcard':
      return checkWildcard(arg, at);
    case 'exists':
      if (typeof arg !== 'boolean') fail(at, `"exists" takes true or false, got ${JSON.stringify(arg)}`);
      return;
    case 'cidr':
      str(arg, op);
      if (String(arg).includes(':')) fail(at, 'IPv6 "cidr" is not supported by the local bus');
      if (!parseCidr(String(arg))) fail(at, `"cidr" must look like 10.0.0.0/24, got ${JSON.stringify(arg)}`);
      return;
    case 'numeric':
      return checkNumeric(arg, at);
    case 'anything-but':
      return checkAnythingBut(arg, at);
    default:
      fail(at, `unknown operator "${op}" (expected one of ${OPERATORS.join(', ')})`);
  }
}

function checkWildcard(arg: unknown, at: string): void {
  if (typeof arg !== 'string') fail(at, `"wildcard" takes a string, got ${JSON.stringify(arg)}`);
  if (/(?<!\\)\*\*/.test(arg)) fail(at, '"wildcard" may not contain consecutive "*"');
  for (let i = 0; i < arg.length; i++)
    if (arg[i] === '\\') {
      if (arg[i + 1] !== '*' && arg[i + 1] !== '\\')
        fail(at, '"wildcard": a backslash may only escape "*" or "\\"');
      i++;
    }
}

function checkNumeric(arg: unknown, at: string): void {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0)
    fail(at, '"numeric" takes pairs of operator and number, e.g. [">", 0, "<=", 100]');
  let lower = 0;
  let upper = 0;
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i] as string;
    if (!(NUMERIC_OPS as readonly unknown[]).includes(op))
      fail(at, `"numeric" operator ${JSON.stringify(op)} is not one of ${NUMERIC_OPS.join(' ')}`);
    if (typeof arg[i + 1] !== 'number' || !isFinite(arg[i + 1] as number))
      fail(at, `"numeric" ${op} needs a number, got ${JSON.stringify(arg[i + 1])}`);
    if (op === '=' && arg.length !== 2) fail(at, '"numeric" "=" cannot be combined with a range');
    if (op.startsWith('>')) lower++;
    if (op.startsWith('<')) upper++;
  }
  if (lower > 1 || upper > 1) fail(at, '"numeric" takes at most one lower and one upper bound');
}

function checkAnythingBut(arg: unknown, at: string): void {
  const homogeneous = (list: unknown[]) =>
    list.length > 0 &&
    (list.every((x) => typeof x === 'string') || list.every((x) => typeof x === 'number' && isFinite(x)));
  if (typeof arg === 'string' || (typeof arg === 'number' && isFinite(arg))) return;
  if (Array.isArray(arg)) {
    if (!homogeneous(arg)) fail(at, '"anything-but" takes a non-empty list of only strings or only numbers');
    return;
  }
  if (!isObject(arg) || Object.keys(arg).length !== 1)
    fail(
      at,
      '"anything-but" takes a value, a list, or one of { prefix | suffix | equals-ignore-case | wildcard }',
    );
  const [op, v] = Object.entries(arg)[0]!;
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof v !== 'string' || v === '') fail(at, `"anything-but" ${op} takes a non-empty string`);
      return;
    case 'equals-ignore-case':
      if (!(typeof v === 'string' || (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string'))))
        fail(at, '"anything-but" equals-ignore-case takes a string or a list of strings');
      return;
    case 'wildcard':
      for (const w of Array.isArray(v) ? v : [v]) checkWildcard(w, at);
      return;
    default:
      fail(at, `"anything-but" does not support "${op}"`);
  }
}
