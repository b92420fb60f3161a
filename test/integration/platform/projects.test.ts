import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { clients } from '../../../lambdas/core/aws/clients.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { projectKind } from '../../../lambdas/core/projects/kind.js';
import { ProjectStore } from '../../../lambdas/core/projects/store.js';
import { imageFixture, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { api, fixtureUrl, SECOND_TENANT, startTestPlatform, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;
let other: Api;

beforeAll(async () => {
  await Promise.all([videoFixture(), imageFixture('red'), toneFixture(2, 330)]);
  platform = await startTestPlatform();
  call = api(platform);
  other = api(platform, SECOND_TENANT.value);
});
afterAll(async () => platform?.close());

/** Uploads a fixture through the API (presigned PUT) and returns its src. */
async function upload(file: string, filename: string, contentType: string): Promise<string> {
  const body = await readFile(file);
  const up = await call('POST', '/v1/uploads', { filename, contentType, bytes: body.length });
  expect(up.status).toBe(201);
  const put = await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body });
  expect(put.status).toBe(200);
  return up.body.src;
}

describe('scene projects API', () => {
  it('create, read (presigned asset URLs), list, update, add/reorder/replace/remove scenes, delete', async () => {
    const tone = await toneFixture(2, 330);
    const audioSrc = await upload(tone, 'track.wav', 'audio/wav');
    const created = await call('POST', '/v1/projects', {
      name: 'Launch',
      mode: 'ad-creative',
      prompt: 'a bright launch video',
      subject: 'a red bicycle',
      audio: { src: audioSrc, volume: 0.5 },
      scenes: [
        { source: 'upload', src: fixtureUrl('video.mp4'), length: 1 },
        { source: 'image', src: fixtureUrl('image-red.png'), caption: 'Red' },
        { source: 'title', text: 'Buy now' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`/v1/projects/${id}`);
    expect(created.body).toMatchObject({
      mode: 'ad-creative',
      status: 'draft',
      sceneCount: 3,
      completedScenes: 3,
      failedScenes: 0,
    });
    expect(created.body.tenantId).toBeUndefined();
    expect(
      created.body.scenes.map((s: { number: number; source: string; status: string; length: number }) => [
        s.number,
        s.source,
        s.status,
        s.length,
      ]),
    ).toEqual([
      [1, 'upload', 'completed', 1],
      [2, 'image', 'completed', 4],
      [3, 'title', 'completed', 3],
    ]);

    // GET: every asset with its path; the uploaded backing track has a presigned URL that serves its bytes.
    const got = await call('GET', `/v1/projects/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.assets.map((a: { at: string }) => a.at)).toEqual([
      'audio.src',
      'scenes[0].src',
      'scenes[1].src',
    ]);
    const audio = got.body.assets[0];
    expect(audio.src).toBe(audioSrc);
    const fetched = await fetch(audio.url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(await readFile(tone))).toBe(true);

    const listed = await call('GET', '/v1/projects');
    expect(listed.status).toBe(200);
    expect(listed.body.projects.map((p: { id: string }) => p.id)).toContain(id);

    // Update: a field replaced, another removed with null.
    const updated = await call('PUT', `/v1/projects/${id}`, { name: 'Launch v2', prompt: null });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Launch v2');
    expect(updated.body.prompt).toBeUndefined();
    expect(updated.body.subject).toBe('a red bicycle');

    // Add a voiceover scene: it waits for a compose to generate its speech.
    const added = await call('POST', `/v1/projects/${id}/scenes`, { source: 'voiceover', text: 'Ride on.' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ sceneCount: 4, completedScenes: 3, failedScenes: 0 });
    expect(added.body.scenes[3]).toMatchObject({
      number: 4,
      source: 'voiceover',
      status: 'pending',
      attempts: 0,
    });

    const ids = added.body.scenes.map((s: { id: string }) => s.id);
    const reordered = await call('PUT', `/v1/projects/${id}/order`, { order: [4, 1, 2, 3] });
    expect(reordered.status).toBe(200);
    expect(reordered.body.scenes.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[0], ids[1], ids[2]]);

    const replaced = await call('PUT', `/v1/projects/${id}/scenes/2`, {
      source: 'title',
      text: 'Hello',
      length: 2,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.scenes[1]).toMatchObject({
      number: 2,
      source: 'title',
      text: 'Hello',
      status: 'completed',
    });
    expect(replaced.body.scenes[1].id).not.toBe(ids[0]);

    const removed = await call('DELETE', `/v1/projects/${id}/scenes/1`);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ sceneCount: 3, completedScenes: 3, failedScenes: 0 });
    expect(removed.body.scenes.map((s: { source: string }) => s.source)).toEqual(['title', 'image', 'title']);

    expect((await call('DELETE', `/v1/projects/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/projects/${id}`)).status).toBe(404);
    const after = await call('GET', '/v1/projects');
    expect(after.body.projects.map((p: { id: string }) => p.id)).not.toContain(id);
  });

  it('another tenant can neither list, read, change, compose nor delete a project: it does not exist for them', async () => {
    const created = await call('POST', '/v1/projects', {
      mode: 'music-video',
      scenes: [{ source: 'title', text: 'Mine' }],
    });
    const id = created.body.id;
    const theirs = await other('GET', '/v1/projects');
    expect(theirs.status).toBe(200);
    expect(theirs.body.projects.map((p: { id: string }) => p.id)).not.toContain(id);
    const attempts = await Promise.all([
      other('GET', `/v1/projects/${id}`),
      other('PUT', `/v1/projects/${id}`, { name: 'stolen' }),
      other('POST', `/v1/projects/${id}/scenes`, { source: 'title', text: 'x' }),
      other('PUT', `/v1/projects/${id}/scenes/1`, { source: 'title', text: 'x' }),
      other('DELETE', `/v1/projects/${id}/scenes/1`),
      other('PUT', `/v1/projects/${id}/order`, { order: [1] }),
      other('POST', `/v1/projects/${id}/compose`, {}),
      other('DELETE', `/v1/projects/${id}`),
    ]);
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
    expect(attempts[0]!.body.error.code).toBe('NOT_FOUND');
    // Nothing changed for the owner.
    const mine = await call('GET', `/v1/projects/${id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.name).toBeUndefined();
    expect(mine.body.scenes.map((s: { text: string }) => s.text)).toEqual(['Mine']);
    // A listing cursor made for one tenant is refused for another.
    await call('POST', '/v1/projects', { mode: 'custom' });
    const page = await call('GET', '/v1/projects?limit=1');
    expect(page.body.cursor).toBeTruthy();
    const stolen = await other('GET', `/v1/projects?cursor=${page.body.cursor}`);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.details[0].path).toBe('query.cursor');
  });

  it('refuses bad input with the JSON path of the problem, and sources it may not use', async () => {
    const bad = await call('POST', '/v1/projects', { mode: 'opera', scenes: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('mode');

    const missing = await call('POST', '/v1/projects', {
      mode: 'custom',
      scenes: [{ source: 'image', caption: 'x' }],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe('scenes[0].src');

    const unknown = await call('POST', '/v1/projects', { mode: 'custom', scenes: [{ source: 'dream' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('scenes[0].source');

    const otherTenants = await call('POST', '/v1/projects', {
      mode: 'custom',
      scenes: [{ source: 'upload', src: `s3://cutline-ingest/inputs/${SECOND_TENANT.id}/clip.mp4` }],
    });
    expect(otherTenants.status).toBe(400);
    expect(otherTenants.body.error).toMatchObject({
      code: 'SOURCE_REFUSED',
      details: [{ path: 'scenes[0].src' }],
    });

    // No generator is configured here: refused up front, naming what to configure, not accepted and failed later.
    const generate = await call('POST', '/v1/projects', {
      mode: 'music-video',
      scenes: [
        { source: 'title', text: 'a' },
        { source: 'generate', prompt: 'a neon city at night' },
      ],
    });
    expect(generate.status).toBe(400);
    expect(generate.body.error.code).toBe('NOT_SUPPORTED');
    expect(generate.body.error.details[0].path).toBe('scenes[1].source');
    expect(generate.body.error.message).toMatch(
      /no image or video generation provider configured.*Amazon Bedrock.*CUTLINE_GENERATION_ENDPOINT/,
    );

    const created = await call('POST', '/v1/projects', {
      mode: 'custom',
      scenes: [{ source: 'title', text: 'a' }],
    });
    const id = created.body.id;
    const dup = await call('PUT', `/v1/projects/${id}/order`, { order: [1, 1] });
    expect(dup.status).toBe(400);
    expect(dup.body.error.details[0].path).toBe('order');
    expect((await call('PUT', `/v1/projects/${id}/scenes/7`, { source: 'title', text: 'x' })).status).toBe(
      404,
    );
    const empty = await call('POST', '/v1/projects', { mode: 'custom' });
    const compose = await call('POST', `/v1/projects/${empty.body.id}/compose`);
    expect(compose.status).toBe(400);
    expect(compose.body.error.details[0].path).toBe('scenes');
  });

  it("a voiceover scene's prepare item (platform deps: real store, speech published to S3) completes the scene and counts it", async () => {
    const created = await call('POST', '/v1/projects', {
      mode: 'custom',
      scenes: [
        { source: 'title', text: 'One' },
        { source: 'voiceover', text: 'Two.' },
      ],
    });
    const id = created.body.id;
    expect(created.body).toMatchObject({ completedScenes: 1, failedScenes: 0 });
    const snapshot = {
      projectId: id,
      project: {
        mode: 'custom',
        scenes: created.body.scenes.map(({ number: _n, ...scene }: { number: number }) => scene),
      },
    };
    const req = projectKind.parse(snapshot);
    const [item, ...more] = projectKind.prepareItems!(req);
    expect(more).toHaveLength(0);
    const ctx = {
      tenantId: platform.apiKeyId,
      jobId: 'job-1',
      scratchDir: await mkdtemp(join(tmpdir(), 'cutline-vo-')),
      localPath: async () => '',
      probe: async () => {
        throw new Error('not used');
      },
    };
    const media = (await projectKind.prepareItem!(req, item!, ctx)) as {
      src: string;
      durationSeconds: number;
    };
    const sceneId = created.body.scenes[1].id;
    expect(media.src).toBe(
      `s3://cutline-ingest/inputs/${platform.apiKeyId}/projects/${id}/job-1/scene-${sceneId}-voiceover.wav`,
    );

    const got = await call('GET', `/v1/projects/${id}`);
    expect(got.body).toMatchObject({ sceneCount: 2, completedScenes: 2, failedScenes: 0 });
    expect(got.body.scenes[1]).toMatchObject({ status: 'completed', attempts: 1, media });
    const asset = got.body.assets.find((a: { at: string }) => a.at === 'scenes[1].media.src');
    const wav = Buffer.from(await (await fetch(asset.url)).arrayBuffer());
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');

    // A status report for a scene that has been replaced meanwhile writes nothing.
    await call('PUT', `/v1/projects/${id}/scenes/2`, { source: 'voiceover', text: 'Three.' });
    const store = new ProjectStore(clients().db, getPlatform().table);
    expect(await store.transition(platform.apiKeyId, id, sceneId, { status: 'failed' })).toBe(false);
    const after = await call('GET', `/v1/projects/${id}`);
    expect(after.body).toMatchObject({ completedScenes: 1, failedScenes: 0 });
    expect(after.body.scenes[1]).toMatchObject({ status: 'pending', attempts: 0 });
    // …and another tenant's report on this project is refused the same way.
    const newId = after.body.scenes[1].id;
    expect(await store.transition(SECOND_TENANT.id, id, newId, { status: 'failed' })).toBe(false);
    expect(
      await store.transition(platform.apiKeyId, id, newId, {
        status: 'failed',
        error: { code: 'X', message: 'y' },
      }),
    ).toBe(true);
    expect((await call('GET', `/v1/projects/${id}`)).body).toMatchObject({
      completedScenes: 1,
      failedScenes: 1,
    });
  });
});
