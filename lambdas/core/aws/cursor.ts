import { createHash } from 'node:crypto';
import { CutlineError } from '../errors.js';

/**
 * List cursors. A cursor carries only the sort-key values of the page's last item, never a partition:
 * the caller's store rebuilds the start key on the caller's own partition, so a cursor can never page
 * through another tenant's items. It is also tagged with the tenant it was made for (a hash of the id),
 * so another tenant's cursor is refused rather than read as a position in the caller's list. Each part
 * is checked against its pattern: a crafted cursor is a 400 at query.cursor, never a DynamoDB
 * ValidationException (a 500).
 */
export const badCursor = (): CutlineError =>
  new CutlineError('VALIDATION_FAILED', 'cursor is not valid: pass back the cursor of the previous page', [
    { path: 'query.cursor', message: 'invalid' },
  ]);

/** An ISO-8601 UTC time as the stores write it (createdAt). */
export const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
/** An id the platform made (a UUID) or a client-chosen one of the same characters. */
export const CURSOR_ID = /^[\w-]{1,64}$/;

const tenantTag = (tenantId: string) =>
  createHash('sha256').update(tenantId).digest('base64url').slice(0, 12);

export const encodeCursor = (tenantId: string, parts: readonly string[]): string =>
  Buffer.from(JSON.stringify([tenantTag(tenantId), ...parts])).toString('base64url');

/** The cursor's parts (made for this tenant, each matching its pattern), or a 400. */
export function decodeCursor(tenantId: string, cursor: string, patterns: readonly RegExp[]): string[] {
  if (cursor.length > 300 || !/^[\w-]+$/.test(cursor)) throw badCursor();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parts) || parts.length !== patterns.length + 1 || parts[0] !== tenantTag(tenantId))
    throw badCursor();
  return parts.slice(1).map((p, i) => {
    if (typeof p !== 'string' || !patterns[i]!.test(p)) throw badCursor();
    return p;
  });
}
