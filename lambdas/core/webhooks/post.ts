import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { VettedTarget } from './target.js';

/** The most of a receiver's answer read (and thrown away): enough to reuse nothing, bounded. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` to a vetted target, connecting to the address that was vetted (Node asks `lookup` instead
 * of resolving the name again, so DNS rebinding cannot swap it); TLS still checks the certificate against
 * the host name. Redirects are not followed: a 3xx is just a status. Resolves with the status; rejects on a
 * network error or after `timeoutMs`.
 */
export function postToTarget(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  ca?: string,
): Promise<number> {
  const pinned = target.address;
  const lookup: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all)
      (cb as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target.url, {
      method: 'POST',
      lookup,
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
      ...(ca ? { ca } : {}),
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    req.once('response', (res) => {
      let read = 0;
      res.on('data', (c: Buffer) => {
        read += c.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.once('close', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', (err) =>
      reject(err.name === 'TimeoutError' || err.name === 'AbortError' ? new Error('timed out') : err),
    );
    req.end(body);
  });
}
