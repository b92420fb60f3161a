/**
 * DynamoDB's size of an item, computed the way the service documents it: each attribute's name (UTF-8
 * bytes) plus its value — strings their UTF-8 bytes, numbers about one byte per two significant digits
 * plus one, booleans and null one byte, lists and maps 3 bytes plus one per element plus their contents.
 * Iterative, so no value can overflow the stack. Used to refuse an item before writing it, instead of
 * letting the service answer ValidationException after an idempotency key was already claimed.
 */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

const numberBytes = (n: number) => {
  const digits =
    String(Math.abs(n))
      .replace(/[.e+-]/g, '')
      .replace(/^0+/, '').length || 1;
  return Math.ceil(digits / 2) + 1;
};

export function itemBytes(item: Record<string, unknown>): number {
  let total = 0;
  const stack: unknown[] = [];
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) continue;
    total += Buffer.byteLength(k);
    stack.push(v);
  }
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') total += Buffer.byteLength(v);
    else if (typeof v === 'number') total += numberBytes(v);
    else if (typeof v === 'boolean' || v === null) total += 1;
    else if (Array.isArray(v)) {
      total += 3 + v.length;
      for (const x of v) if (x !== undefined) stack.push(x);
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      total += 3 + entries.length;
      for (const [k, x] of entries) {
        total += Buffer.byteLength(k);
        stack.push(x);
      }
    }
  }
  return total;
}
