import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { api, startTestPlatform, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

const edit = (asset: Record<string, unknown>) => ({
  timeline: { tracks: [{ clips: [{ asset, start: 0, length: 2 }] }] },
  output: { format: 'mp4', resolution: 'sd' },
});

beforeAll(async () => {
  platform = await startTestPlatform();
  call = api(platform);
});
afterAll(() => platform?.close());

describe('POST /v1/validate', () => {
  it('accepts a valid edit without starting anything', async () => {
    const res = await call('POST', '/v1/validate', edit({ type: 'video', src: 'clip.mp4' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, type: 'render', sources: 1 });
    expect(Object.keys(res.body).sort()).toEqual(['estimate', 'sources', 'type', 'valid']);
    // The estimate a submit would store: clip.mp4 is not there to probe, and its length is fixed (2 s).
    expect(res.body.estimate.estimatedSeconds).toBeGreaterThan(0);
    expect(res.body.estimate.plan.chunks).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/v1/renders')).body.renders).toEqual([]);
  });

  it('answers the same 400 as a submit, with JSON paths', async () => {
    const bad = edit({ type: 'title', text: 'x', volumee: 1 });
    const checked = await call('POST', '/v1/validate', bad);
    const submitted = await call('POST', '/v1/renders', bad);
    expect(checked.status).toBe(400);
    expect(checked.body.error.details).toContainEqual({
      path: 'timeline.tracks[0].clips[0].asset.volumee',
      message: expect.stringContaining('volumee'),
    });
    expect(checked.body).toEqual(submitted.body);
  });

  it('refuses sources the tenant may not read, and unknown job types, with their paths', async () => {
    const refused = await call(
      'POST',
      '/v1/validate',
      edit({ type: 'video', src: 's3://someone-elses-bucket/a.mp4' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('SOURCE_REFUSED');
    expect(refused.body.error.details[0].path).toBe('timeline.tracks[0].clips[0].asset.src');
    const type = await call('POST', '/v1/validate?type=nonsense', edit({ type: 'title', text: 'x' }));
    expect(type.status).toBe(400);
    expect(type.body.error.details[0].path).toBe('type');
  });

  it('needs the API key and answers cross-origin callers (the deployed console)', async () => {
    const res = await fetch(`${platform.url}/v1/validate`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await fetch(`${platform.url}/v1/validate`, {
      method: 'OPTIONS',
      headers: { origin: 'https://console.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-api-key');
    const ok = await call('POST', '/v1/validate', edit({ type: 'title', text: 'x' }));
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/validate'].post.responses['400']).toBeDefined();
  });
});
