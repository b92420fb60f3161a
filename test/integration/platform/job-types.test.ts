import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { colorVideoFixture, videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

beforeAll(async () => {
  await Promise.all([
    videoFixture(),
    colorVideoFixture('red', 1),
    colorVideoFixture('blue', 1),
    colorVideoFixture('lime', 1),
  ]);
  platform = await startTestPlatform();
  call = api(platform);
});
afterAll(async () => platform?.close());

type Output = { kind: string; key: string; url: string; rendition?: string; width?: number; height?: number };

const videoStream = async (url: string) => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const { writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const path = join(tmpdir(), `cutline-jobtypes-${Math.random().toString(36).slice(2)}.mp4`);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  const probe = (await ffprobeJson(path)) as {
    streams: Array<{ codec_type: string; width?: number; height?: number }>;
    format: { duration: string; tags?: Record<string, string> };
  };
  return {
    ...probe.streams.find((s) => s.codec_type === 'video')!,
    duration: Number(probe.format.duration),
    tags: probe.format.tags ?? {},
  };
};

/** Every job type runs through the one pipeline: the Map over renditions, outputs named by rendition, a manifest. */
describe('clip, mix and social jobs on the local platform', () => {
  it('POST /v1/clips: every clip × aspect ratio is an output of its own, with poster, thumbnail and a manifest', async () => {
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('video.mp4'),
      clips: [
        { start: 0, end: 1, title: 'first' },
        { start: 2, end: 3.2 },
      ],
      aspectRatios: ['9:16', '1:1'],
      output: { resolution: 'preview' },
    });
    expect(res.status).toBe(202);
    expect(res.body.type).toBe('clips');
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const outputs = job.outputs as Output[];
    const videos = outputs.filter((o) => o.kind === 'video');
    expect(videos.map((o) => o.rendition).sort()).toEqual([
      'clip-01-1x1',
      'clip-01-9x16',
      'clip-02-1x1',
      'clip-02-9x16',
    ]);
    for (const rendition of ['clip-01-9x16', 'clip-02-1x1'])
      expect(
        outputs
          .filter((o) => o.rendition === rendition)
          .map((o) => o.kind)
          .sort(),
      ).toEqual(['poster', 'thumbnail', 'video']);
    const tall = await videoStream(videos.find((o) => o.rendition === 'clip-02-9x16')!.url);
    expect(tall.width! / tall.height!).toBeCloseTo(9 / 16, 2);
    expect(tall.duration).toBeCloseTo(1.2, 1);
    const square = await videoStream(videos.find((o) => o.rendition === 'clip-01-1x1')!.url);
    expect(square.width).toBe(square.height);

    const manifestOut = outputs.find((o) => o.kind === 'manifest')!;
    expect(manifestOut.key).toMatch(new RegExp(`^outputs/[^/]+/${job.id}/manifest\\.json$`));
    const manifest = (await (await fetch(manifestOut.url)).json()) as {
      type: string;
      outputs: Array<{ name: string; meta: Record<string, unknown>; files: Output[] }>;
    };
    expect(manifest.type).toBe('clips');
    expect(manifest.outputs).toHaveLength(4);
    expect(manifest.outputs.find((o) => o.name === 'clip-01-9x16')!.meta).toMatchObject({
      clip: 1,
      aspectRatio: '9:16',
      title: 'first',
    });
  });

  it('POST /v1/mixes: exactly the requested unique variations, each as long as its clips, with container metadata', async () => {
    const res = await call('POST', '/v1/mixes', {
      title: 'Promo',
      groups: [
        { name: 'hook', clips: [fixtureUrl('color-red-1.mp4'), fixtureUrl('color-blue-1.mp4')] },
        { name: 'end', clips: [fixtureUrl('color-lime-1.mp4')] },
      ],
      mode: 'auto',
      count: 2,
      seed: 7,
      output: { size: { width: 160, height: 90 } },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    const videos = (job.outputs as Output[]).filter((o) => o.kind === 'video');
    expect(videos).toHaveLength(2);
    const comments = new Set<string>();
    for (const v of videos) {
      const s = await videoStream(v.url);
      expect(s.duration).toBeGreaterThan(1.95);
      expect(s.duration).toBeLessThan(2.1);
      expect(s.tags.title).toMatch(/^Promo/);
      comments.add(s.tags.comment ?? '');
    }
    expect(comments.size).toBe(2);

    const tooMany = await call('POST', '/v1/mixes', {
      groups: [{ name: 'a', clips: [fixtureUrl('color-red-1.mp4')] }],
      mode: 'auto',
      count: 3,
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].path).toBe('count');
  });

  it("an edit's social preset renders each aspect ratio as its own rendition beside the main output", async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('color-red-1.mp4') }, start: 0, length: 1 }] },
        ],
      },
      output: {
        format: 'mp4',
        size: { width: 320, height: 180 },
        presets: [{ name: 'social', aspectRatios: ['9:16', '1:1'] }],
      },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    const videos = (job.outputs as Output[]).filter((o) => o.kind === 'video');
    expect(videos.map((o) => o.rendition).sort()).toEqual(['output', 'social-1x1', 'social-9x16']);
    const tall = await videoStream(videos.find((o) => o.rendition === 'social-9x16')!.url);
    expect(tall.width! / tall.height!).toBeCloseTo(9 / 16, 2);
  });
});
