import { CutlineError } from './errors.js';

/**
 * How deep a request's JSON may nest. The deepest real edit is about 8 levels (timeline.tracks[].clips[]
 * .asset.font…); 64 leaves room for any client while every recursive walk after parsing (zod, number
 * checks, merge, the DynamoDB marshaller) stays far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** An open object (with where its current key's text is, decoded only to name a path) or array. */
type Frame = { kind: 'object'; key: [number, number] | null } | { kind: 'array'; index: number };

function segment(text: string, f: Frame): string {
  if (f.kind === 'array') return `[${f.index}]`;
  let key = '';
  if (f.key) {
    const raw = text.slice(f.key[0], f.key[1] + 1);
    try {
      key = JSON.parse(raw) as string;
    } catch {
      key = raw.slice(1, -1);
    }
  }
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * The JSON path of the first value nested deeper than `max` in the JSON text, or null. Iterative (one pass
 * over the characters, a stack of frames bounded by `max`), so a 50 000-deep body is refused without
 * recursion and before JSON.parse builds it. Malformed text is left for JSON.parse to report.
 */
export function jsonTooDeepAt(text: string, max = MAX_JSON_DEPTH): string | null {
  const stack: Frame[] = [];
  let lastString: [number, number] | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x22: {
        // A string: jump to its closing quote (one not escaped by an odd run of backslashes).
        let end = i;
        for (;;) {
          end = text.indexOf('"', end + 1);
          if (end < 0) return null; // unterminated: JSON.parse reports it
          let slashes = 0;
          while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
          if (slashes % 2 === 0) break;
        }
        lastString = [i, end];
        i = end;
        break;
      }
      case 0x3a: {
        // ':' ends an object's key: the string just before it
        const top = stack[stack.length - 1];
        if (top?.kind === 'object') top.key = lastString;
        break;
      }
      case 0x2c: {
        // ','
        const top = stack[stack.length - 1];
        if (top?.kind === 'array') top.index++;
        break;
      }
      case 0x7b: // {
      case 0x5b: // [
        if (stack.length >= max)
          return stack
            .map((f) => segment(text, f))
            .join('')
            .replace(/^\./, '');
        stack.push(c === 0x7b ? { kind: 'object', key: null } : { kind: 'array', index: 0 });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        break;
    }
  }
  return null;
}

/** Throws VALIDATION_FAILED (a 400) with the path where the JSON nests deeper than MAX_JSON_DEPTH. */
export function assertJsonDepth(text: string, what = 'the body'): void {
  const at = jsonTooDeepAt(text);
  if (at !== null)
    throw new CutlineError(
      'VALIDATION_FAILED',
      `${what} nests deeper than ${MAX_JSON_DEPTH} levels at ${at || '(root)'}`,
      [{ path: at, message: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
    );
}
