import { tmpdir } from 'node:os';
import { ENV, setting } from './config.js';

/**
 * What an error message may not carry out of the platform: the folders it works in (scratch, the data
 * directory, the code), the internal storage and service endpoints, and signed URLs. Applied where
 * errors leave: API error answers, job error records (and so events), drop-folder `.error.json`, the
 * submit estimate's reasons. A file keeps its name (`…/clip.mp4`), which is what a person can act on.
 */

/** Folders whose paths are internal; any absolute path under them is cut to its last segment. */
const INTERNAL_ROOTS = [
  '/tmp',
  '/var',
  '/opt',
  '/home',
  '/root',
  '/work',
  '/Users',
  '/private',
  '/mnt',
  '/srv',
  '/usr',
  '/proc',
  '/etc',
  '/data',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function roots(): string[] {
  const extra = [tmpdir(), process.cwd(), setting('MEDIA_ROOT'), setting('DATA_DIR')];
  return [...new Set([...INTERNAL_ROOTS, ...extra.filter((r): r is string => !!r && r.startsWith('/'))])];
}

/** The endpoints of the AWS services this process talks to (locally: loopback ports). */
function endpoints(): string[] {
  return Object.entries(process.env)
    .filter(([k, v]) => k.startsWith(ENV.AWS_ENDPOINT_URL) && v)
    .map(([, v]) => v!.replace(/\/+$/, ''));
}

export function sanitizeMessage(message: string): string {
  let out = message;
  // Signed URLs (presigned S3 GETs in ffmpeg's log) first, whole.
  out = out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]*X-Amz-[^\s'"<>]*/gi, '<signed URL>');
  for (const e of endpoints()) out = out.split(e).join('<storage>');
  out = out.replace(/\bhttps?:\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?/gi, '<internal>');
  const rootAlt = roots()
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');
  // (file://)?<root>/…/<name> → …/<name>; a bare root stays as it is.
  const path = new RegExp(`(?:file://)?(?:${rootAlt})(?:/[^\\s'"<>,;()]*)+`, 'g');
  out = out.replace(path, (p) => {
    const name = p.replace(/\/+$/, '').split('/').pop() ?? '';
    return name ? `…/${name}` : '…';
  });
  return out;
}

/** An `{ code, message, details? }` error with every message sanitized. */
export function sanitizeError<
  T extends { message: string; details?: Array<{ path: string; message: string }> },
>(error: T): T {
  return {
    ...error,
    message: sanitizeMessage(error.message),
    ...(error.details
      ? { details: error.details.map((d) => ({ ...d, message: sanitizeMessage(d.message) })) }
      : {}),
  };
}
