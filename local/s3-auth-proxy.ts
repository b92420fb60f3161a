import { createHash } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifySigV4 } from './sigv4.js';

/**
 * The local S3 endpoint: SigV4 is verified here, then the request goes unchanged to s3rver (which
 * accepts anonymous requests and does not check V4 signatures). So locally, as in AWS, only signed or
 * presigned requests with the platform's credentials work; browsers' CORS preflights (never signed)
 * pass, as S3 answers them from the bucket's CORS rules.
 */
export async function startS3AuthProxy(opts: {
  upstream: string;
  secrets: ReadonlyMap<string, string>;
  now?: () => number;
  /** The port to listen on if it is free (else any free one). */
  port?: number;
}): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(opts.upstream);
  // Connections to s3rver are kept and reused: a new one per request triples a small GET's latency.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => void handle(req, res));

  function fail(res: ServerResponse, status: number, code: string, message: string, method?: string) {
    if (res.headersSent) return res.destroy();
    res.writeHead(status, { 'content-type': 'application/xml' });
    // HEAD answers carry no body; the SDK reads the status.
    res.end(
      method === 'HEAD'
        ? undefined
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<>&]/g, '')}</Message></Error>`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'];
    let payloadHash: string | undefined;
    if (!preflight) {
      const verdict = verifySigV4(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers },
        opts.secrets,
        opts.now?.(),
      );
      if (!verdict.ok) {
        req.resume();
        return fail(res, verdict.status, verdict.code, verdict.message, req.method);
      }
      payloadHash = verdict.payloadHash;
      // aws-chunked bodies (per-chunk signatures, trailing checksums) are neither verified here nor
      // decoded by s3rver, which would store the framing: refused loudly instead of stored wrong.
      if (payloadHash.startsWith('STREAMING-')) {
        req.resume();
        return fail(
          res,
          501,
          'NotImplemented',
          `the local S3 does not accept ${payloadHash} bodies; sign the payload (requestChecksumCalculation: WHEN_REQUIRED)`,
          req.method,
        );
      }
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        agent,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        pipeline(up, res).catch(() => res.destroy());
      },
    );
    out.on('error', () => fail(res, 502, 'InternalError', 'the local S3 server did not answer'));
    // A body signed by its hash must be that body: the last chunk is held until the hash is checked, so a
    // mismatch aborts the upload before s3rver has all of it (S3's XAmzContentSHA256Mismatch).
    const checked = payloadHash && /^[0-9a-f]{64}$/.test(payloadHash) ? hashCheck(payloadHash) : undefined;
    try {
      await (checked ? pipeline(req, checked, out) : pipeline(req, out));
    } catch (err) {
      out.destroy();
      if ((err as Error).message === 'XAmzContentSHA256Mismatch')
        fail(
          res,
          400,
          'XAmzContentSHA256Mismatch',
          'The provided x-amz-content-sha256 header does not match what was computed.',
        );
      else res.destroy();
    }
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(opts.port ?? 0).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE' || !opts.port) throw err;
    return listen(0);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

function hashCheck(expected: string): Transform {
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      if (held) this.push(held);
      held = chunk;
      done();
    },
    flush(done: TransformCallback) {
      if (hash.digest('hex') !== expected) return done(new Error('XAmzContentSHA256Mismatch'));
      if (held) this.push(held);
      done();
    },
  });
}
