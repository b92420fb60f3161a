// Pure helpers for edits as text: no DOM, so they are unit-tested in Node (test/unit/console/).

/** `{{ NAME }}` placeholders in every string of a value, in first-seen order. */
export function placeholders(value, out = []) {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)) if (!out.includes(m[1])) out.push(m[1]);
  } else if (Array.isArray(value)) value.forEach((v) => placeholders(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (k !== 'merge') placeholders(v, out);
  return out;
}

/**
 * The merge fields of a template: every placeholder, with the template's default (its own `merge`
 * entry) when it has one. A default's type is kept so a number field stays a number.
 */
export function mergeFields(edit) {
  const defaults = new Map(
    (Array.isArray(edit?.merge) ? edit.merge : [])
      .filter((m) => m && typeof m.find === 'string')
      .map((m) => [m.find, m.replace]),
  );
  const names = placeholders(edit);
  for (const k of defaults.keys()) if (!names.includes(k)) names.push(k);
  return names.map((name) => ({
    name,
    ...(defaults.has(name) ? { default: defaults.get(name) } : {}),
    type: typeof defaults.get(name) === 'number' ? 'number' : 'string',
  }));
}

/** Form values → the `merge` array of a template render (numbers for number fields; blanks left out). */
export function mergeValues(fields, values) {
  const out = [];
  for (const f of fields) {
    const raw = values[f.name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    out.push({
      find: f.name,
      replace: f.type === 'number' && raw.trim() !== '' && Number.isFinite(n) ? n : raw,
    });
  }
  return out;
}

/** `timeline.tracks[0].clips[1]` → ['timeline', 'tracks', 0, 'clips', 1]. */
export function splitPath(path) {
  const parts = [];
  for (const m of String(path).matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return parts;
}

/**
 * Where a JSON path points in JSON text: `{ start, end }` offsets of the deepest part of the path that
 * exists (the member's key when the last part is an object member, so an unknown field is found too).
 * Returns undefined for text that is not valid JSON.
 */
export function locatePath(text, path) {
  const r = scan(text, splitPath(path));
  return r.errorAt === undefined && r.best ? { start: r.best.start, end: r.best.end } : undefined;
}

/** The offset where JSON text stops being valid JSON, or undefined when it is valid. */
export function jsonErrorOffset(text) {
  return scan(text, []).errorAt;
}

/** A small JSON scanner that records where the parts of `want` lie, and where the text goes wrong. */
function scan(text, want) {
  let best;
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = () => {
    throw new SyntaxError(`unexpected ${text[i] ?? 'end'} at ${i}`);
  };
  const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null/y;
  const same = (at) => at.length <= want.length && at.every((p, k) => p === want[k]);
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (text[i] !== '"') fail();
    i++;
    return { start, end: i, value: JSON.parse(text.slice(start, i)) };
  };
  const value = (at) => {
    ws();
    const start = i;
    if (text[i] === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          if (text[i] !== '"') fail();
          const key = string();
          const child = [...at, key.value];
          if (same(child)) best = { start: key.start, end: key.end, depth: child.length };
          ws();
          if (text[i++] !== ':') fail();
          value(child);
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail();
        }
    } else if (text[i] === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else
        for (let n = 0; ; n++) {
          value([...at, n]);
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail();
        }
    } else if (text[i] === '"') string();
    else {
      number.lastIndex = i;
      const m = number.exec(text);
      if (!m) fail();
      i += m[0].length;
    }
    // An array element (or the root) is located by its value; a member already by its key.
    if (same(at) && typeof at[at.length - 1] !== 'string' && (!best || best.depth <= at.length))
      best = { start, end: i, depth: at.length };
  };
  try {
    value([]);
    ws();
    if (i < text.length) fail();
  } catch {
    return { best, errorAt: Math.min(i, text.length) };
  }
  return { best, errorAt: undefined };
}

/** Line and column (1-based) of an offset, for messages about JSON text. */
export function lineColumn(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** The offset of a JSON.parse error: browsers' messages do not always carry one, so the scanner finds it. */
export function syntaxErrorOffset(text, message) {
  const pos = /position (\d+)/.exec(message);
  return pos ? Number(pos[1]) : jsonErrorOffset(text);
}
