/**
 * What the SigV4 check in front of the local S3 costs: GETs straight to s3rver (the baseline) and
 * through local/s3-auth-proxy.ts, alternating in one run so machine load hits both alike.
 * `npx tsx bench/s3-auth-proxy.ts [rounds]` prints medians (ms) of a 64 MiB GET and of a 1-byte GET.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startS3AuthProxy } from '../local/s3-auth-proxy.js';
import { LOCAL_S3_CREDENTIALS } from '../local/servers.js';

const rounds = Number(process.argv[2] ?? 5);
const dir = await mkdtemp(join(tmpdir(), 'bench-s3-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: dir,
  silent: true,
  configureBuckets: [{ name: 'b', configs: [] }],
});
const { port } = (await server.run()) as AddressInfo;
const proxy = await startS3AuthProxy({
  upstream: `http://127.0.0.1:${port}`,
  secrets: new Map([[LOCAL_S3_CREDENTIALS.accessKeyId, LOCAL_S3_CREDENTIALS.secretAccessKey]]),
});
const client = (endpoint: string) =>
  new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
const clients = { direct: client(`http://127.0.0.1:${port}`), proxy: client(proxy.endpoint) };
await clients.direct.send(new PutObjectCommand({ Bucket: 'b', Key: 'big', Body: Buffer.alloc(64 << 20, 1) }));
await clients.direct.send(new PutObjectCommand({ Bucket: 'b', Key: 'small', Body: 'x' }));

const times = {
  bigDirect: [] as number[],
  bigProxy: [] as number[],
  smallDirect: [] as number[],
  smallProxy: [] as number[],
};
for (let i = 0; i < rounds; i++) {
  for (const via of ['direct', 'proxy'] as const) {
    const c = clients[via];
    let t = performance.now();
    await (await c.send(new GetObjectCommand({ Bucket: 'b', Key: 'big' }))).Body!.transformToByteArray();
    times[via === 'direct' ? 'bigDirect' : 'bigProxy'].push(performance.now() - t);
    t = performance.now();
    for (let k = 0; k < 50; k++)
      await (await c.send(new GetObjectCommand({ Bucket: 'b', Key: 'small' }))).Body!.transformToString();
    times[via === 'direct' ? 'smallDirect' : 'smallProxy'].push((performance.now() - t) / 50);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
console.log(
  JSON.stringify(
    Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
  ),
);
await proxy.close();
await server.close();
await rm(dir, { recursive: true, force: true });
