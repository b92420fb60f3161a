import { createHash } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifySigV4 } from './sigv4.js';
import { copyPart, multipartCall, MultipartSizes, readBody } from './s3-multipart.js';

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
  /** AbortMultipartUpload, which s3rver lacks: removes the upload's parts; false when there is no such upload. */
  abortUpload?: (bucket: string, uploadId: string) => Promise<boolean>;
}): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(opts.upstream);
  // Connections to s3rver are kept and reused: a new one per request triples a small GET's latency.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => void handle(req, res));
  const parts = new MultipartSizes();

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
    // Multipart calls s3rver gets wrong or lacks (see multipart-rules.ts): UploadPartCopy is answered
    // here, CompleteMultipartUpload is checked here first, and part sizes are recorded on the way.
    const mp = multipartCall(req.method ?? 'GET', req.url ?? '/', req.headers);
    if (mp?.kind === 'copy') {
      req.resume();
      return void copyPart(upstreamCall, mp, parts, res).catch(() =>
        fail(res, 502, 'InternalError', 'the local S3 server did not answer'),
      );
    }
    if (mp?.kind === 'abort' && opts.abortUpload) {
      req.resume();
      const gone = await opts.abortUpload(mp.bucket, mp.uploadId).catch(() => null);
      if (gone === null) return fail(res, 500, 'InternalError', 'the local S3 could not remove the upload');
      if (!gone) return fail(res, 404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
      parts.forget(mp.upload);
      res.writeHead(204);
      return void res.end();
    }
    if (mp?.kind === 'complete') {
      const body = await readBody(req);
      if (
        payloadHash &&
        /^[0-9a-f]{64}$/.test(payloadHash) &&
        createHash('sha256').update(body).digest('hex') !== payloadHash
      )
        return fail(
          res,
          400,
          'XAmzContentSHA256Mismatch',
          'The provided x-amz-content-sha256 header does not match what was computed.',
        );
      const refusal = parts.checkComplete(mp.upload, body.toString('utf8'));
      if (refusal) return fail(res, 400, refusal.code, refusal.message);
      const up = await upstreamCall(
        req.method!,
        req.url!,
        { ...req.headers, 'content-length': String(body.length) },
        body,
      );
      if ((up.statusCode ?? 500) < 300) parts.forget(mp.upload);
      res.writeHead(up.statusCode ?? 502, up.headers);
      return void pipeline(up, res).catch(() => res.destroy());
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
        if (mp?.kind === 'part' && (up.statusCode ?? 500) < 300)
          parts.record(mp.upload, mp.partNumber, Number(req.headers['content-length'] ?? NaN));
        if (mp?.kind === 'abort' && (up.statusCode ?? 500) < 300) parts.forget(mp.upload);
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

  /** One request to s3rver (anonymous: it does not check signatures), its answer not yet read. */
  function upstreamCall(
    method: string,
    path: string,
    headers: Record<string, string | string[] | undefined>,
    body?: Buffer | NodeJS.ReadableStream,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, agent, method, path, headers },
        resolve,
      );
      out.on('error', reject);
      if (!body) out.end();
      else if (Buffer.isBuffer(body)) out.end(body);
      else pipeline(body, out).catch(reject);
    });
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
