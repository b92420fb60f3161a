import { CutlineError } from './errors.js';

/**
 * How deep a request's JSON may nest. The deepest real edit is about 8 levels (timeline.tracks[].clips[]
 * .asset.font…); 64 leaves room for any client while every recursive walk after parsing (zod, number
 * checks, merge, the DynamoDB marshaller) stays far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

type Frame = { kind: 'object'; key: string | null } | { kind: 'array'; index: number };

const segment = (f: Frame): string =>
  f.kind === 'array'
    ? `[${f.index}]`
    : /^[A-Za-z_$][\w$]*$/.test(f.key ?? '')
      ? `.${f.key}`
      : `[${JSON.stringify(f.key ?? '')}]`;

/**
 * The JSON path of the first value nested deeper than `max` in the JSON text, or null. Iterative (one pass
 * over the characters, a stack of frames bounded by `max`), so a 50 000-deep body is refused without
 * recursion and before JSON.parse builds it. Malformed text is left for JSON.parse to report.
 */
export function jsonTooDeepAt(text: string, max = MAX_JSON_DEPTH): string | null {
  const stack: Frame[] = [];
  let inString = false;
  let stringStart = 0;
  let lastString: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) {
        inString = false;
        // Only keys are kept (they name the path); a value string is dropped at the next ',' or '}'.
        const top = stack[stack.length - 1];
        if (top?.kind === 'object' && top.key === null) {
          try {
            lastString = JSON.parse(text.slice(stringStart, i + 1)) as string;
          } catch {
            lastString = text.slice(stringStart + 1, i);
          }
        }
      }
      continue;
    }
    switch (c) {
      case 0x22: // "
        inString = true;
        stringStart = i;
        break;
      case 0x3a: {
        // ':' ends an object's key
        const top = stack[stack.length - 1];
        if (top?.kind === 'object') top.key = lastString ?? '';
        lastString = null;
        break;
      }
      case 0x2c: {
        // ','
        const top = stack[stack.length - 1];
        if (top?.kind === 'array') top.index++;
        else if (top) top.key = null;
        lastString = null;
        break;
      }
      case 0x7b: // {
      case 0x5b: // [
        if (stack.length >= max) return stack.map(segment).join('').replace(/^\./, '');
        stack.push(c === 0x7b ? { kind: 'object', key: null } : { kind: 'array', index: 0 });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        lastString = null;
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
