import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../../lambdas/core/aws/clients.js';
import { sanitizeMessage } from '../../../lambdas/core/sanitize.js';
import { LOCAL_BUCKETS, type LocalPlatform } from '../../../local/platform.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * Issue #16, item 9: what leaves the platform (API answers, job errors, events, `.error.json`) names no
 * scratch path, data dir or internal endpoint; the data dir is its owner's only; NUL is refused early.
 */
let platform: LocalPlatform;
let call: Api;
/** Everything the platform said, to grep. */
const said: string[] = [];
const record = async (p: ReturnType<Api>) => {
  const r = await p;
  said.push(JSON.stringify(r.body));
  return r;
};
const edit = (src: string, length: number | 'auto' = 1) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});

beforeAll(async () => {
  platform = await startTestPlatform({ rateLimit: { rate: 1000, burst: 1000 } });
  call = api(platform);
});
afterAll(() => platform?.close());

/** What must never appear in anything the platform says. */
function forbidden(): Array<string | RegExp> {
  return [
    platform.dataDir,
    tmpdir(),
    /\/tmp\//,
    process.env.AWS_ENDPOINT_URL_S3!,
    process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    /127\.0\.0\.1:\d+/,
    /X-Amz-Signature/,
  ];
}
function expectClean(text: string, what: string) {
  for (const f of forbidden()) {
    if (typeof f === 'string') expect(text.includes(f), `${what} contains ${f}: ${text}`).toBe(false);
    else expect(text, what).not.toMatch(f);
  }
}

describe('error messages leak nothing internal', () => {
  it('API answers, job errors, events and .error.json are clean', async () => {
    // A non-media upload: ffprobe's complaint names the scratch file it read.
    const junk = Buffer.from('this is not a video at all');
    // (The upload answer itself is a presigned URL to the storage: that one is meant to be handed out.)
    const up = await call('POST', '/v1/uploads', {
      filename: 'junk.mp4',
      contentType: 'video/mp4',
      bytes: junk.length,
    });
    await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: junk });
    // At submit (length auto: the estimate probes over the presigned URL, whose failure becomes a reason).
    const auto = await record(call('POST', '/v1/renders', edit(up.body.src, 'auto')));
    // In the pipeline: the Probe step downloads it to scratch and fails there.
    const later = await record(call('POST', '/v1/renders', edit(up.body.src)));
    expect(later.status).toBe(202);
    const { job } = await waitForJob(call, later.body.id);
    expect(job.status).toBe('FAILED');
    expect(job.error.message).toMatch(/junk|not readable|Invalid data/i);
    said.push(JSON.stringify((await record(call('GET', `/v1/renders/${later.body.id}`))).body));
    if (auto.status === 202) await waitForJob(call, auto.body.id);
    // Refusals that name local files.
    await record(call('POST', '/v1/renders', edit(fixtureUrl('nowhere.mp4'))));
    await record(call('POST', '/v1/renders', edit('file:///etc/passwd')));
    await record(call('POST', '/v1/renders', edit('inputs/missing/clip.mp4')));
    // A drop-folder manifest whose render fails: its .error.json.
    await clients().s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_BUCKETS.ingest,
        Key: `drop/${platform.apiKeyId}/manifests/leak.json`,
        Body: JSON.stringify(
          edit(`s3://${LOCAL_BUCKETS.ingest}/inputs/${platform.apiKeyId}/nothing-here.mp4`),
        ),
      }),
    );
    const errorJson = await until(async () => {
      try {
        const res = await clients().s3.send(
          new GetObjectCommand({
            Bucket: LOCAL_BUCKETS.ingest,
            Key: `drop/${platform.apiKeyId}/manifests/leak.error.json`,
          }),
        );
        return await res.Body!.transformToString();
      } catch {
        return undefined;
      }
    });
    expect(errorJson).toMatch(/SOURCE_NOT_FOUND|not found/);
    expectClean(errorJson, '.error.json');
    for (const s of said) expectClean(s, 'an API answer');
    await platform.bus.drain?.();
    const events = await readFile(join(platform.dataDir, 'events.jsonl'), 'utf8');
    expect(events).toMatch(/Job Failed/);
    expectClean(events, 'events.jsonl');
  });

  it('the sanitizer keeps the file name a person can act on', () => {
    expect(sanitizeMessage(`${tmpdir()}/cutline-probe-x/3f2a.mp4: Invalid data found`)).toBe(
      '…/3f2a.mp4: Invalid data found',
    );
    expect(sanitizeMessage(`GET ${process.env.AWS_ENDPOINT_URL_S3}/cutline-ingest/k failed`)).toBe(
      'GET <storage>/cutline-ingest/k failed',
    );
    expect(sanitizeMessage('see /v1/renders/abc')).toBe('see /v1/renders/abc');
  });
});

describe('the data dir is its owner’s only', () => {
  it('the data dir and every folder under it are 0700, every file 0600 (events.jsonl included)', async () => {
    await platform.bus.drain?.();
    const modes: Array<[string, number]> = [];
    const walk = async (dir: string) => {
      modes.push([dir, (await stat(dir)).mode & 0o777]);
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) modes.push([p, (await stat(p)).mode & 0o777]);
      }
    };
    await walk(platform.dataDir);
    expect(modes.find(([p]) => p.endsWith('events.jsonl'))?.[1]).toBe(0o600);
    expect(modes.some(([p]) => p.includes(`${join(platform.dataDir, 's3')}/`))).toBe(true);
    for (const [p, mode] of modes) expect(mode & 0o077, `${p} is ${mode.toString(8)}`).toBe(0);
  });
});

describe('NUL and control characters are refused at validation, with the path', () => {
  it.each([
    ['output.metadata.title', { metadata: { title: 'a\u0000b' } }],
    ['output.metadata.comment', { metadata: { comment: 'bell\u0007' } }],
  ])('%s', async (path, output) => {
    const body = { ...edit(fixtureUrl('video.mp4')), output: { ...edit('x').output, ...output } };
    for (const route of ['/v1/validate', '/v1/renders']) {
      const res = await call('POST', route, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details[0].path).toBe(path);
    }
  });

  it('a NUL smuggled in through a merge value is refused too; newlines in a title are fine', async () => {
    const title = (text: string) => ({
      merge: [{ find: 'T', replace: text }],
      timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: '{{T}}' }, start: 0, length: 1 }] }] },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const bad = await call('POST', '/v1/validate', title('x\u0000y'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('merge[0].replace');
    expect((await call('POST', '/v1/validate', title('two\nlines'))).status).toBe(200);
  });
});

async function until<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
