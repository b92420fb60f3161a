import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExpandContext } from '../../../lambdas/core/jobs/types.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { renderPrepared } from '../../../lambdas/core/engine/render.js';
import { probeFile } from '../../../lambdas/core/media/probe.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { makeProjectKind } from '../../../lambdas/core/projects/kind.js';
import { providerEnv } from '../../../lambdas/core/projects/providers/index.js';
import type { SceneTransition } from '../../../lambdas/core/projects/store.js';
import { colorVideoFixture, FIXTURES, imageFixture, toneFixture } from '../../helpers/fixtures.js';
import { countFrames, ffprobeJson, meanVolume, readFrame, regionMean } from '../../helpers/media.js';

const url = (name: string) => pathToFileURL(join(FIXTURES, name)).href;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-projects-'));
  await Promise.all([
    colorVideoFixture('green', 3),
    imageFixture('red'),
    imageFixture('yellow'),
    toneFixture(2, 330),
  ]);
});

/** A local ExpandContext like the pipeline's: file:// sources under the fixtures, probes of local copies. */
function localContext(jobId: string): Omit<ExpandContext, 'prepared'> {
  const resolver = new LocalSourceResolver({
    mediaRoot: FIXTURES,
    baseDir: FIXTURES,
    maxSourceBytes: 100 * 1024 * 1024,
  });
  return {
    tenantId: 'tenant-a',
    jobId,
    scratchDir: dir,
    localPath: (src, at) => resolver.resolve(src, at),
    probe: async (src, at) => probeFile(await resolver.resolve(src, at), at),
  };
}

const transitions: Array<{ sceneId: string; t: SceneTransition }> = [];
const kind = makeProjectKind({
  env: providerEnv,
  // Scene status as the store would receive it, recorded to check the sequence.
  sink: () => ({
    transition: async (_tenant, _project, sceneId, t) => {
      transitions.push({ sceneId, t });
      return true;
    },
  }),
  // Generated media is published beside the fixtures, so the render reads it as a file:// source.
  async publish({ jobId, path, name }) {
    const target = join(FIXTURES, `generated-${jobId}-${name}`);
    await copyFile(path, target);
    return pathToFileURL(target).href;
  },
});

const scene = (id: string, fields: Record<string, unknown>, status = 'completed') => ({
  id,
  status,
  attempts: 0,
  ...fields,
});

const isColor = (rgb: number[], want: [number, number, number]) =>
  rgb.slice(0, 3).every((v, i) => Math.abs(v - want[i]!) < 60);

describe('a composed scene project', () => {
  it("upload, image (Ken Burns + caption), title and voiceover scenes in order: the length is the sum of the scenes' and the backing track runs to the end", async () => {
    const jobId = `job-${Date.now()}`;
    const req = kind.parse({
      projectId: 'p1',
      project: {
        mode: 'music-video',
        audio: { src: url('tone-330-2.wav'), volume: 0.3 },
        output: { size: { width: 320, height: 180 } },
        scenes: [
          scene('s1', { source: 'upload', src: url('color-green-3.mp4'), length: 1.6 }),
          scene('s2', { source: 'image', src: url('image-red.png'), length: 2, caption: 'Red' }),
          scene('s3', { source: 'title', text: 'Blue', background: '#0000ff', length: 1.2 }),
          scene(
            's4',
            { source: 'voiceover', text: 'Hello from cutline.', image: url('image-yellow.png') },
            'pending',
          ),
        ],
      },
    });
    const ctx = localContext(jobId);

    const items = kind.prepareItems!(req);
    expect(items.map((i) => i.id)).toEqual(['scene-s4']);
    const prepared = new Map<string, unknown>();
    for (const item of items) prepared.set(item.id, await kind.prepareItem!(req, item, ctx));
    const speech = prepared.get('scene-s4') as { src: string; durationSeconds: number; kind: string };
    expect(speech.kind).toBe('audio');
    expect(speech.durationSeconds).toBeGreaterThan(0.5);
    expect(transitions.map((x) => [x.sceneId, x.t.status, Boolean(x.t.attempt)])).toEqual([
      ['s4', 'processing', true],
      ['s4', 'completed', false],
    ]);

    const [rendition, ...rest] = await kind.expand(req, { ...ctx, prepared });
    expect(rest).toHaveLength(0);
    const placed = rendition!.meta!.scenes as Array<{ start: number; length: number }>;
    const lengths = placed.map((s) => s.length);
    expect(lengths.slice(0, 3)).toEqual([1.6, 2, 1.2]);
    // The voiceover scene lasts its speech plus the tail, to the frame.
    expect(lengths[3]!).toBeCloseTo(speech.durationSeconds + 0.5, 1);
    const total = lengths.reduce((a, b) => a + b, 0);

    const out = join(dir, 'project.mp4');
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e8 });
    await renderPrepared(await prepareRender(rendition!.edit, { resolver }), { output: out });

    // Length = the sum of the scenes' (to one frame at 25 fps).
    expect(Math.abs((await countFrames(out)) / 25 - total)).toBeLessThanOrEqual(1 / 25 + 1e-9);
    const probe = await ffprobeJson(out);
    const a = probe.streams.find((s) => s.codec_type === 'audio');
    expect(a).toBeDefined();
    expect(Math.abs(Number(a!.duration) - total)).toBeLessThan(0.05);
    // The 2 s backing track is looped: it is still playing in the last half second.
    expect(await meanVolume(out, total - 0.5, 0.5)).toBeGreaterThan(-45);
    // Speech is mixed over it in the voiceover scene: louder than the title scene (backing track only).
    const voStart = placed[3]!.start;
    expect(await meanVolume(out, voStart + 0.1, Math.min(1, speech.durationSeconds - 0.2))).toBeGreaterThan(
      (await meanVolume(out, placed[2]!.start + 0.2, 1)) + 3,
    );

    // Scenes in order: green clip, red image, blue card, yellow image under the voiceover.
    const mid = (i: number) => placed[i]!.start + placed[i]!.length / 2;
    const centre = async (t: number) => regionMean(await readFrame(out, t), 0.4, 0.3, 0.6, 0.5);
    expect(isColor(await centre(mid(0)), [0, 128, 0])).toBe(true);
    expect(isColor(await centre(mid(1)), [255, 0, 0])).toBe(true);
    // The card's text is in the middle; its corner shows the card's colour.
    expect(isColor(regionMean(await readFrame(out, mid(2)), 0.02, 0.02, 0.15, 0.15), [0, 0, 255])).toBe(true);
    expect(isColor(await centre(mid(3)), [255, 255, 0])).toBe(true);
    // The image scene's caption is drawn at the bottom: not all red there.
    const bottom = regionMean(await readFrame(out, mid(1)), 0.45, 0.92, 0.55, 1);
    expect(isColor(bottom, [255, 0, 0])).toBe(false);
  }, 120_000);
});
