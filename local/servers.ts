import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import S3rver from 's3rver';
import { guardFilesystemStore } from './store-full.js';
import { startS3AuthProxy } from './s3-auth-proxy.js';

export interface Running {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite (the DynamoDB API) persisting under `dataDir/dynamodb`, on a free loopback port, in a worker
 * thread (see dynalite-worker.mjs): under load it no longer shares the API's event loop.
 */
export async function startDynalite(dataDir: string): Promise<Running> {
  const path = join(dataDir, 'dynamodb');
  await mkdir(path, { recursive: true });
  const worker = new Worker(new URL('./dynalite-worker.mjs', import.meta.url), { workerData: { path } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port?: number; error?: string }) =>
      m.port ? resolve(m.port) : reject(new Error(`dynalite did not start: ${m.error}`)),
    );
  });
  // Should the thread still die, the table is down (health says so), but the platform answers on.
  worker.on('error', (err) => process.stderr.write(`cutline: the local table stopped: ${err.message}\n`));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.once('message', () => void worker.terminate());
        worker.postMessage('close');
      }),
  };
}

export interface S3Running extends Running {
  /** Called for every object created, like an S3 event notification. */
  onObjectCreated(fn: (bucket: string, key: string, eTag: string) => void): void;
}

/**
 * Browser uploads to presigned PUT URLs from any origin, as the deployed ingest bucket allows
 * (lib/storage.ts): the web console's upload form needs it.
 */
const PUT_CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** Reads of presigned output URLs from any origin, as the deployed outputs bucket allows (the console's fetch). */
const GET_CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** The local credentials (s3rver's own fixed pair): the only ones the local S3 endpoint accepts. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * s3rver (the S3 API) persisting under `dataDir/s3` with the platform's buckets, behind a SigV4 check
 * (s3-auth-proxy): the endpoint answers only signed or presigned requests, as S3 does.
 */
export async function startS3rver(
  dataDir: string,
  buckets: readonly string[],
  opts: { putCors?: readonly string[]; getCors?: readonly string[] } = {},
): Promise<S3Running> {
  const directory = join(dataDir, 's3');
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({
      name,
      configs: opts.putCors?.includes(name) ? [PUT_CORS] : opts.getCors?.includes(name) ? [GET_CORS] : [],
    })),
  });
  // A full disk fails the PUT with 507, not the process (store-full.ts).
  guardFilesystemStore((server as unknown as { store: Parameters<typeof guardFilesystemStore>[0] }).store);
  const { port } = (await server.run()) as AddressInfo;
  // The endpoint keeps its port across restarts when it can: presigned output URLs a page (the console)
  // or a client still holds keep working until they expire, as S3's do.
  const portFile = join(dataDir, 's3-port');
  const previous = Number(await readFile(portFile, 'utf8').catch(() => ''));
  const store = (
    server as unknown as { store: { getResourcePath(b: string, k: undefined, r: string): string } }
  ).store;
  const proxy = await startS3AuthProxy({
    upstream: `http://127.0.0.1:${port}`,
    // s3rver keeps an upload's parts in <bucket>/uploads/<uploadId>/ (its ids are 32 hex digits).
    abortUpload: async (bucket, uploadId) => {
      if (!/^[0-9a-f]{32}$/.test(uploadId) || !buckets.includes(bucket)) return false;
      const dir = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
      if (!existsSync(dir)) return false;
      await rm(dir, { recursive: true, force: true });
      return true;
    },
    secrets: new Map([[LOCAL_S3_CREDENTIALS.accessKeyId, LOCAL_S3_CREDENTIALS.secretAccessKey]]),
    ...(Number.isInteger(previous) && previous > 0 ? { port: previous } : {}),
  });
  await writeFile(portFile, new URL(proxy.endpoint).port, { mode: 0o600 });
  const listeners: Array<(bucket: string, key: string, eTag: string) => void> = [];
  server.on(
    'event',
    (event: {
      Records: Array<{
        eventName: string;
        s3: { bucket: { name: string }; object: { key: string; eTag: string } };
      }>;
    }) => {
      for (const r of event.Records) {
        if (!r.eventName.startsWith('ObjectCreated')) continue;
        // s3rver's event carries the key as stored (not URL-encoded as S3's notifications are): decoding
        // it again would turn a literal `%2e%2e` into `..`.
        for (const fn of listeners) fn(r.s3.bucket.name, r.s3.object.key, r.s3.object.eTag);
      }
    },
  );
  return {
    endpoint: proxy.endpoint,
    onObjectCreated: (fn) => listeners.push(fn),
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}
