import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/core/config.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { detectInFrame } from '../../../lambdas/core/providers/faces/face-api.js';
import { resetProviderClients } from '../../../lambdas/core/providers/clients.js';
import { resetProviderSettings } from '../../../lambdas/core/providers/settings.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { MOVING_FACE, movingFaceVideo, photoLeft } from '../../helpers/faces.js';
import { readFrame } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * The Rekognition path through the real local platform: the provider chosen by configuration stages an
 * H.264 proxy in the (real, signed) local S3, starts a face detection job, and the real state machine's
 * Wait/Choice loop polls it. Rekognition itself cannot run here: a stand-in speaking its JSON protocol
 * answers with the faces where the test video has them (the calls' shapes are checked against the API
 * reference in test/unit/providers/rekognition-faces.test.ts; only a real account shows the service).
 */
let platform: LocalPlatform;
let call: Api;
let stand: Server;
const seen: Array<{ target: string; body: Record<string, unknown>; staged?: number }> = [];
let polls = 0;

/** Where the astronaut's face is at t (from the overlay's motion), as Rekognition's ratios. */
const faceAt = (t: number) => ({
  Left: (photoLeft(t) + 0.37 * MOVING_FACE.size) / MOVING_FACE.width,
  Top: (MOVING_FACE.y + 0.11 * MOVING_FACE.size) / MOVING_FACE.height,
  Width: (0.25 * MOVING_FACE.size) / MOVING_FACE.width,
  Height: (0.22 * MOVING_FACE.size) / MOVING_FACE.height,
});

async function answer(target: string, body: Record<string, unknown>): Promise<unknown> {
  if (target.endsWith('.StartFaceDetection')) {
    const s3 = (body.Video as { S3Object: { Bucket: string; Name: string } }).S3Object;
    const staged = await getPlatform().objects.head(s3.Bucket, s3.Name);
    seen.push({ target, body, staged: staged?.bytes });
    return { JobId: 'stand-in-job-1' };
  }
  seen.push({ target, body });
  if (polls++ === 0) return { JobStatus: 'IN_PROGRESS' };
  const all = Array.from({ length: MOVING_FACE.seconds * 5 }, (_, i) => ({
    Timestamp: i * 200,
    Face: { BoundingBox: faceAt(i * 0.2), Confidence: 99.5 },
  }));
  // Two pages, as GetFaceDetection pages its results.
  return body.NextToken
    ? { JobStatus: 'SUCCEEDED', Faces: all.slice(15) }
    : { JobStatus: 'SUCCEEDED', Faces: all.slice(0, 15), NextToken: 'page-2' };
}

beforeAll(async () => {
  await movingFaceVideo();
  stand = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => {
      void answer(String(req.headers['x-amz-target']), JSON.parse(raw || '{}')).then((out) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((r) => stand.listen(0, '127.0.0.1', r));
  process.env.AWS_ENDPOINT_URL_REKOGNITION = `http://127.0.0.1:${(stand.address() as AddressInfo).port}`;
  process.env[ENV.FACE_DETECTOR] = 'rekognition';
  resetProviderSettings();
  resetProviderClients();
  platform = await startTestPlatform();
  call = api(platform);
}, 120_000);
afterAll(async () => {
  await platform?.close();
  stand?.close();
  delete process.env.AWS_ENDPOINT_URL_REKOGNITION;
  delete process.env[ENV.FACE_DETECTOR];
  resetProviderSettings();
  resetProviderClients();
});

describe('reframe mode "face" with the Rekognition provider (local platform, stand-in service)', () => {
  it('stages a proxy, starts the job, waits in the state machine, reads every page, follows the face', async () => {
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('moving-face.mp4'),
      clips: [{ start: 0, end: MOVING_FACE.seconds }],
      aspectRatios: ['9:16'],
      reframe: { mode: 'face' },
      output: { resolution: 'preview' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 300_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    expect(seen.map((s) => s.target.split('.').pop())).toEqual([
      'StartFaceDetection',
      'GetFaceDetection', // IN_PROGRESS: the machine waited and polled again
      'GetFaceDetection',
      'GetFaceDetection',
    ]);
    const start = seen[0]!;
    const s3 = (start.body.Video as { S3Object: { Bucket: string; Name: string } }).S3Object;
    expect(s3.Bucket).toBe('cutline-outputs');
    expect(s3.Name).toMatch(new RegExp(`^work/${job.id}/faces/source\\.mp4$`));
    expect(start.staged).toBeGreaterThan(0); // the proxy was in S3 when the job started
    expect(seen[3]!.body.NextToken).toBe('page-2');
    // The focus followed the stand-in's faces: the face is in the 9:16 frame at both ends of the clip,
    // where centre framing cannot show it (test/integration/platform/faces.test.ts).
    const outputs = job.outputs as Array<{ kind: string; url: string }>;
    const manifest = await (await fetch(outputs.find((o) => o.kind === 'manifest')!.url)).json();
    expect(manifest.outputs[0].meta.reframe).toBe('face');
    const path = join(await mkdtemp(join(tmpdir(), 'cutline-rek-')), 'clip.mp4');
    const video = outputs.find((o) => o.kind === 'video')!;
    await writeFile(path, Buffer.from(await (await fetch(video.url)).arrayBuffer()));
    for (const t of [0.25, MOVING_FACE.seconds - 0.25]) {
      const f = await readFrame(path, t);
      const rgb = new Uint8Array(f.width * f.height * 3);
      for (let i = 0, j = 0; i < f.data.length; i += 4, j += 3) rgb.set(f.data.subarray(i, i + 3), j);
      expect((await detectInFrame(rgb, f.width, f.height)).length, `a face at ${t} s`).toBe(1);
    }
  }, 600_000);
});
