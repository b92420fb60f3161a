import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { colorVideoFixture, imageFixture, renderEdit } from '../../helpers/fixtures.js';
import { readFrame, regionMean } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;
let dir: string;

/** Red for 2 s, then blue for 2 s, under a white square at the top left from 1 s to 3 s. */
const edit = {
  timeline: {
    tracks: [
      {
        clips: [
          {
            asset: { type: 'image', src: fixtureUrl('image-white.png') },
            start: 1,
            length: 2,
            scale: 0.25,
            position: 'topLeft',
          },
        ],
      },
      {
        clips: [
          { asset: { type: 'video', src: fixtureUrl('color-red-3.mp4') }, start: 0, length: 2 },
          { asset: { type: 'video', src: fixtureUrl('color-blue-3.mp4') }, start: 2, length: 2 },
        ],
      },
    ],
  },
  output: { format: 'mp4', resolution: 'sd', poster: { capture: 1 } },
};

beforeAll(async () => {
  await Promise.all([colorVideoFixture('red'), colorVideoFixture('blue'), imageFixture('white')]);
  platform = await startTestPlatform();
  call = api(platform);
  dir = await mkdtemp(join(tmpdir(), 'cutline-preview-'));
});
afterAll(() => platform?.close());

/** The answer's JPEG, decoded to RGBA. */
async function frameOf(body: { image: string }, name: string) {
  const file = join(dir, name);
  await writeFile(file, Buffer.from(body.image, 'base64'));
  return readFrame(file);
}

describe('POST /v1/preview', () => {
  it('draws the frame at the playhead, at the asked width, as the render draws it', async () => {
    const early = await call('POST', '/v1/preview', { edit, at: 0.5, width: 320 });
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ at: 0.48, duration: 4, width: 320, height: 180 });
    expect(early.body.contentType).toBe('image/jpeg');
    const a = await frameOf(early.body, 'a.jpg');
    expect([a.width, a.height]).toEqual([320, 180]);
    const [r, g, b] = regionMean(a, 0.4, 0.4, 0.6, 0.6);
    expect(r).toBeGreaterThan(200);
    expect(g + b).toBeLessThan(60);
    // No square yet at 0.5 s.
    expect(regionMean(a, 0.02, 0.02, 0.1, 0.1)[1]).toBeLessThan(40);

    const late = await call('POST', '/v1/preview', { edit, at: 2.5, width: 320 });
    const c = await frameOf(late.body, 'c.jpg');
    const [r2, , b2] = regionMean(c, 0.6, 0.6, 0.9, 0.9);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(40);
    // The square is drawn where the full render draws it (same compiler): compare with the render's frame.
    const corner = regionMean(c, 0.02, 0.02, 0.12, 0.12);
    expect(Math.min(...corner.slice(0, 3))).toBeGreaterThan(200);
    const rendered = await renderEdit(edit, join(dir, 'full.mp4'));
    const full = await readFrame(rendered.files[0]!.path, 2.5);
    for (const [x0, y0, x1, y1] of [
      [0.02, 0.02, 0.12, 0.12],
      [0.2, 0.02, 0.3, 0.12],
      [0.02, 0.3, 0.12, 0.4],
      [0.5, 0.5, 0.7, 0.7],
    ] as const) {
      const p = regionMean(c, x0, y0, x1, y1);
      const f = regionMean(full, x0, y0, x1, y1);
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(p[ch]! - f[ch]!)).toBeLessThan(24);
    }
  });

  it('clamps a playhead past the end to the last frame and says which time it drew', async () => {
    const res = await call('POST', '/v1/preview', { edit, at: 60 });
    expect(res.status).toBe(200);
    expect(res.body.at).toBeCloseTo(4 - 1 / 25, 5);
    expect(res.body.width).toBe(480);
    const f = await frameOf(res.body, 'end.jpg');
    expect(regionMean(f, 0.4, 0.4, 0.6, 0.6)[2]).toBeGreaterThan(200);
  });

  it("refuses its own fields and the edit's problems with paths under edit, as a submit would", async () => {
    const bad = await call('POST', '/v1/preview', { edit, at: -1, width: 10_000 });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['at', 'width']));

    const broken = structuredClone(edit) as typeof edit & Record<string, unknown>;
    (broken.timeline.tracks[1]!.clips[0]!.asset as Record<string, unknown>).volumee = 1;
    const res = await call('POST', '/v1/preview', { edit: broken, at: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual({
      path: 'edit.timeline.tracks[1].clips[0].asset.volumee',
      message: expect.stringContaining('volumee'),
    });

    const missing = structuredClone(edit);
    missing.timeline.tracks[1]!.clips[0]!.asset.src = fixtureUrl('no-such-file.mp4');
    const gone = await call('POST', '/v1/preview', { edit: missing, at: 1 });
    expect(gone.status).toBe(400);
    expect(gone.body.error.details[0].path).toBe('edit.timeline.tracks[1].clips[0].asset.src');
    expect(JSON.stringify(gone.body)).not.toContain(tmpdir());

    const noKey = await fetch(`${platform.url}/v1/preview`, { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(403);
  });

  it('starts no job and is in the OpenAPI document', async () => {
    expect((await call('GET', '/v1/renders')).body.renders).toEqual([]);
    const doc = (await call('GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/preview'].post.responses['200']).toBeDefined();
  });
});
