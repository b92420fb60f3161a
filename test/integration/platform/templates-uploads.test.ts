import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { api, SECOND_TENANT, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

beforeAll(async () => {
  await videoFixture();
  platform = await startTestPlatform();
  call = api(platform);
});
afterAll(async () => platform?.close());

describe('uploads', () => {
  it('a presigned PUT stores the file under the tenant’s inputs/, and its src renders', async () => {
    const clip = await readFile(await videoFixture());
    const up = await call('POST', '/v1/uploads', {
      filename: 'clip.mp4',
      contentType: 'video/mp4',
      bytes: clip.length,
    });
    expect(up.status).toBe(201);
    expect(up.body.key).toMatch(new RegExp(`^inputs/${platform.apiKeyId}/[0-9a-f-]+/clip\\.mp4$`));
    const put = await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: clip });
    expect(put.status).toBe(200);
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'video', src: up.body.src }, start: 0, length: 'auto' }] }],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    });
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.outputs[0].durationSeconds).toBeCloseTo(4, 1);
  });

  it('refuses names with paths, with the JSON path of the problem', async () => {
    const bad = await call('POST', '/v1/uploads', { filename: '../../etc/passwd' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('filename');
  });
});

describe('templates', () => {
  const template = {
    name: 'greeting',
    edit: {
      merge: [{ find: 'NAME', replace: 'World' }],
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'title', text: 'Hello {{NAME}}' }, start: 0, length: 1 }] }],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    },
  };

  it('create, read, list, update, render with merge values, delete; another tenant sees none of it', async () => {
    const created = await call('POST', '/v1/templates', template);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call('GET', `/v1/templates/${id}`)).body.name).toBe('greeting');
    expect((await call('GET', '/v1/templates')).body.templates.map((t: { id: string }) => t.id)).toContain(
      id,
    );
    const updated = await call('PUT', `/v1/templates/${id}`, { ...template, name: 'greeting v2' });
    expect(updated.body.name).toBe('greeting v2');

    const other = api(platform, SECOND_TENANT.value);
    expect((await other('GET', `/v1/templates/${id}`)).status).toBe(404);
    expect((await other('POST', `/v1/templates/${id}/render`, {})).status).toBe(404);

    const rendered = await call('POST', `/v1/templates/${id}/render`, {
      merge: [{ find: 'NAME', replace: 'Ada' }],
    });
    expect(rendered.status).toBe(202);
    const { job } = await waitForJob(call, rendered.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const { clients } = await import('../../../lambdas/core/aws/clients.js');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const stored = await clients().db.send(
      new GetCommand({ TableName: 'cutline', Key: { PK: `JOB#${job.id}`, SK: 'META' } }),
    );
    expect(stored.Item!.request.timeline.tracks[0].clips[0].asset.text).toBe('Hello Ada');

    expect((await call('DELETE', `/v1/templates/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/templates/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/templates/${id}`)).status).toBe(404);
  });

  it('a template whose edit is invalid is 400 with the path inside edit', async () => {
    const bad = await call('POST', '/v1/templates', {
      name: 'x',
      edit: { ...template.edit, output: { format: 'avi' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('edit.output.format');
  });
});
