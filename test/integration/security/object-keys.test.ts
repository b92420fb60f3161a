import { readFile } from 'node:fs/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyProblem } from '../../../lambdas/core/aws/object-key.js';
import { clients } from '../../../lambdas/core/aws/clients.js';
import { LOCAL_BUCKETS, type LocalPlatform } from '../../../local/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { api, SECOND_TENANT, startTestPlatform, type Api } from '../../helpers/platform.js';

/**
 * Issue #16, item 4: tenant B names tenant A's upload through a key that passes a prefix check but
 * normalises elsewhere (`inputs/B/../A/…`). Every key form is refused with the JSON path, on every
 * route that takes a source, and nothing of A's reaches B (no job, no presigned URL).
 */
let platform: LocalPlatform;
let callA: Api;
let callB: Api;
let aKey: string; // inputs/<A>/<uuid>/clip.mp4
const B = SECOND_TENANT.id;
const INGEST = LOCAL_BUCKETS.ingest;
const SRC = 'timeline.tracks[0].clips[0].asset.src';
const edit = (src: string) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 1 }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});

/** Every way tenant B might spell tenant A's key. */
function hostileSources(): string[] {
  const rest = aKey.slice('inputs/'.length); // <A>/<uuid>/clip.mp4
  return [
    `s3://${INGEST}/inputs/${B}/../${rest}`,
    `s3://${INGEST}/inputs/${B}/./../${rest}`,
    `s3://${INGEST}/inputs/${B}/%2e%2e/${rest}`,
    `s3://${INGEST}/inputs/${B}/..%2f${rest}`,
    `s3://${INGEST}/inputs/${B}/..\\${rest}`,
    `s3://${INGEST}/inputs/${B}//../${rest}`,
    `s3://${INGEST}/inputs/${B}/x\u0000/../../${rest}`,
    `inputs/${B}/../${rest}`,
    `../${rest}`,
    `%2e%2e/${rest}`,
    `..%5c${rest}`,
    `./clip.mp4`,
    `inputs/${B}//clip.mp4`,
    `clip.mp4/`,
  ];
}

beforeAll(async () => {
  platform = await startTestPlatform({ rateLimit: { rate: 1000, burst: 1000 } });
  callA = api(platform);
  callB = api(platform, SECOND_TENANT.value);
  const clip = await readFile(await videoFixture());
  const up = await callA('POST', '/v1/uploads', {
    filename: 'clip.mp4',
    contentType: 'video/mp4',
    bytes: clip.length,
  });
  await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: clip });
  aKey = up.body.key;
});
afterAll(() => platform?.close());

describe('key traversal is refused in every key form', () => {
  it('the pure check names the problem; plain keys pass', () => {
    expect(keyProblem('inputs/t/0b1c/clip.mp4')).toBeUndefined();
    expect(keyProblem('inputs/t/../u/x')).toMatch(/relative path segment \("\.\."\)/);
    expect(keyProblem('inputs/t/%2E%2E/u/x')).toMatch(/percent-encoding/);
    expect(keyProblem('inputs/t\\..\\u')).toMatch(/backslash/);
    expect(keyProblem('inputs/t/a\u0000b')).toMatch(/NUL/);
    expect(keyProblem('inputs//x')).toMatch(/empty path segment/);
    expect(keyProblem(`inputs/${'x'.repeat(1100)}`)).toMatch(/1024 bytes/);
  });

  it('POST /v1/renders and /v1/validate: 400 SOURCE_REFUSED with the path, no job', async () => {
    for (const src of hostileSources()) {
      for (const route of ['/v1/renders', '/v1/validate']) {
        const res = await callB('POST', route, edit(src));
        expect(res.status, `${route} ${JSON.stringify(src)}`).toBe(400);
        // A control character is refused before any source check, by the request-wide string check.
        expect(res.body.error.code).toBe(src.includes('\u0000') ? 'VALIDATION_FAILED' : 'SOURCE_REFUSED');
        expect(res.body.error.details[0].path).toBe(SRC);
      }
    }
    expect((await callB('GET', '/v1/renders?limit=100')).body.renders).toEqual([]);
    // The same upload is the owner's to use.
    expect((await callA('POST', '/v1/validate', edit(aKey))).status).toBe(200);
  });

  it('templates: saving or rendering one with a traversal source is refused', async () => {
    for (const src of hostileSources().slice(0, 4)) {
      const saved = await callB('POST', '/v1/templates', { name: 'steal', edit: edit(src) });
      if (saved.status === 201) {
        const r = await callB('POST', `/v1/templates/${saved.body.id}/render`, {});
        expect(r.status, src).toBe(400);
        expect(r.body.error.code).toBe('SOURCE_REFUSED');
      } else {
        expect(saved.status, src).toBe(400);
        expect(saved.body.error.code).toBe('SOURCE_REFUSED');
      }
    }
  });

  it('projects: an asset with a traversal key is refused, and no presigned URL to A’s file is handed out', async () => {
    for (const src of hostileSources().slice(0, 4)) {
      const res = await callB('POST', '/v1/projects', {
        mode: 'ad-creative',
        scenes: [{ source: 'upload', src, length: 1 }],
      });
      expect(res.status, src).toBe(400);
      expect(res.body.error.code).toBe('SOURCE_REFUSED');
      expect(JSON.stringify(res.body)).not.toMatch(/X-Amz-Signature/);
    }
  });

  it('drop manifests: refused with <name>.error.json, no job', async () => {
    const rest = aKey.slice('inputs/'.length);
    const key = `drop/${B}/manifests/steal.json`;
    await clients().s3.send(
      new PutObjectCommand({
        Bucket: INGEST,
        Key: key,
        Body: JSON.stringify(edit(`s3://${INGEST}/inputs/${B}/../${rest}`)),
      }),
    );
    const error = await until(async () => {
      try {
        const res = await clients().s3.send(
          new GetObjectCommand({ Bucket: INGEST, Key: `drop/${B}/manifests/steal.error.json` }),
        );
        return JSON.parse(await res.Body!.transformToString()) as {
          error: { code: string; details: Array<{ path: string }> };
        };
      } catch {
        return undefined;
      }
    });
    expect(error.error.code).toBe('SOURCE_REFUSED');
    expect(error.error.details[0]!.path).toBe(SRC);
  });
});

describe('dropped files', () => {
  it('a media file dropped under a key that would not stay plain is refused before it is copied', async () => {
    const clip = await readFile(await videoFixture());
    for (const key of [`drop/${B}/mp4/%2e%2e/x.mp4`, `drop/${B}/mp4/a\\b.mp4`]) {
      await clients().s3.send(new PutObjectCommand({ Bucket: INGEST, Key: key, Body: clip }));
      const errorKey = key.replace(/\.mp4$/, '.error.json');
      const error = await until(async () => {
        try {
          const res = await clients().s3.send(new GetObjectCommand({ Bucket: INGEST, Key: errorKey }));
          return JSON.parse(await res.Body!.transformToString()) as {
            error: { code: string; details: Array<{ path: string; message: string }> };
          };
        } catch {
          return undefined;
        }
      });
      expect(error.error.code, key).toBe('VALIDATION_FAILED');
      expect(error.error.details[0]).toMatchObject({
        path: 'key',
        message: expect.stringMatching(/percent|backslash/),
      });
    }
  });
});

async function until<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
