import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CutlineError } from '../../../lambdas/core/errors.js';
import type { ExpandContext } from '../../../lambdas/core/jobs/types.js';
import { jobKind } from '../../../lambdas/core/kinds/registry.js';
import type { ProbeResult } from '../../../lambdas/core/media/probe.js';
import { makeProjectKind, projectKind } from '../../../lambdas/core/projects/kind.js';
import type { ProviderEnv } from '../../../lambdas/core/projects/providers/index.js';
import type { SceneTransition } from '../../../lambdas/core/projects/store.js';

const scene = (id: string, fields: Record<string, unknown>, status = 'completed') => ({
  id,
  status,
  attempts: 0,
  ...fields,
});
const project = (scenes: unknown[], extra: Record<string, unknown> = {}) => ({
  projectId: 'p1',
  project: { mode: 'music-video', scenes, ...extra },
});

/** A clip of `seconds` as ffprobe would describe it. */
const clipProbe = (seconds: number): ProbeResult => ({
  durationSeconds: seconds,
  hasVideo: true,
  hasAudio: true,
  isImage: false,
  width: 320,
  height: 180,
  rotation: 0,
  fps: 25,
  bytes: 1000,
});
const ctx = (prepared: Map<string, unknown> = new Map()): ExpandContext => ({
  tenantId: 't',
  jobId: 'j',
  scratchDir: tmpdir(),
  localPath: async () => {
    throw new Error('expand of a project reads no file');
  },
  probe: async () => clipProbe(3.4),
  prepared,
});

function caught(fn: () => unknown): CutlineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CutlineError) return err;
    throw err;
  }
  throw new Error('expected a CutlineError');
}

describe('project job: parse', () => {
  it('is the registered kind for type "project"', () => {
    expect(jobKind('project')).toBe(projectKind);
  });

  it('refuses a request that only names a project, saying how to compose one', () => {
    const err = caught(() => projectKind.parse({ projectId: 'abc' }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details[0]!.path).toBe('project');
    expect(err.message).toMatch(/POST \/v1\/projects\/abc\/compose/);
  });

  it('reports problems with their JSON paths', () => {
    expect(
      caught(() => projectKind.parse(project([scene('a', { source: 'title', text: '' })]))).details[0]!.path,
    ).toBe('project.scenes[0].text');
    expect(
      caught(() => projectKind.parse(project([scene('a', { source: 'title', text: 'x', colour: 'red' })])))
        .details[0]!.path,
    ).toBe('project.scenes[0].colour');
    expect(caught(() => projectKind.parse(project([]))).details[0]!.path).toBe('project.scenes');
    const dup = caught(() =>
      projectKind.parse(
        project([scene('a', { source: 'title', text: 'x' }), scene('a', { source: 'title', text: 'y' })]),
      ),
    );
    expect(dup.details[0]).toEqual({ path: 'project.scenes[1].id', message: 'duplicate scene id "a"' });
  });

  it('lists every source with its path (backing track, images, scenes, generated media)', () => {
    const req = projectKind.parse(
      project(
        [
          scene('a', { source: 'upload', src: 'clip.mp4' }),
          scene('b', {
            source: 'voiceover',
            text: 'hi',
            image: 'pic.png',
            media: { src: 's3://b/inputs/t/vo.wav', kind: 'audio', durationSeconds: 1 },
          }),
        ],
        { audio: { src: 'song.mp3' }, referenceImages: ['ref.png'] },
      ),
    );
    expect(projectKind.sources(req)).toEqual([
      { src: 'song.mp3', at: 'project.audio.src' },
      { src: 'ref.png', at: 'project.referenceImages[0]' },
      { src: 'clip.mp4', at: 'project.scenes[0].src' },
      { src: 'pic.png', at: 'project.scenes[1].image' },
      { src: 's3://b/inputs/t/vo.wav', at: 'project.scenes[1].media.src' },
    ]);
  });
});

describe('project job: prepare items', () => {
  const scenes = [
    scene('up', { source: 'upload', src: 'clip.mp4' }),
    scene('vo1', { source: 'voiceover', text: 'one' }, 'pending'),
    scene('vo2', { source: 'voiceover', text: 'two' }, 'failed'),
    scene('vo3', {
      source: 'voiceover',
      text: 'three',
      media: { src: 'vo3.wav', kind: 'audio', durationSeconds: 1 },
    }),
    scene('gen', { source: 'generate', prompt: 'a city' }, 'pending'),
  ];

  it('one item per scene whose media must still be made; none when composing completed scenes only', () => {
    const req = projectKind.parse(project(scenes));
    expect(projectKind.prepareItems!(req)).toEqual([
      { id: 'scene-vo1', sceneId: 'vo1', index: 1 },
      { id: 'scene-vo2', sceneId: 'vo2', index: 2 },
      { id: 'scene-gen', sceneId: 'gen', index: 4 },
    ]);
    expect(
      projectKind.prepareItems!(projectKind.parse({ ...project(scenes), composeCompletedOnly: true })),
    ).toEqual([]);
  });

  const recording = (env: ProviderEnv) => {
    const seen: Array<[string, SceneTransition]> = [];
    const kind = makeProjectKind({
      env: () => env,
      sink: () => ({
        transition: async (_t, _p, sceneId, t) => {
          seen.push([sceneId, t]);
          return true;
        },
      }),
      publish: async () => {
        throw new Error('nothing is published when generation is refused');
      },
    });
    return { kind, seen };
  };

  it('a generate scene is refused (NOT_SUPPORTED, the reason, the path) and the scene is marked failed', async () => {
    const { kind, seen } = recording({ espeak: 'espeak-ng' });
    const req = kind.parse(project(scenes));
    const item = kind.prepareItems!(req).find((i) => i.id === 'scene-gen')!;
    const err = await kind.prepareItem!(req, item, ctx()).catch((e: unknown) => e as CutlineError);
    expect(err).toBeInstanceOf(CutlineError);
    expect((err as CutlineError).code).toBe('NOT_SUPPORTED');
    expect((err as CutlineError).details[0]!.path).toBe('project.scenes[4].source');
    expect((err as CutlineError).message).toMatch(/Amazon Bedrock/);
    expect(seen.map(([id, t]) => [id, t.status, t.attempt ?? false, t.error?.code])).toEqual([
      ['gen', 'processing', true, undefined],
      ['gen', 'failed', false, 'NOT_SUPPORTED'],
    ]);
  });

  it('a voiceover where espeak-ng is missing is refused with what to do (Polly is not wired)', async () => {
    const { kind, seen } = recording({});
    const req = kind.parse(project(scenes));
    const err = (await kind.prepareItem!(req, kind.prepareItems!(req)[0]!, ctx()).catch(
      (e) => e,
    )) as CutlineError;
    expect(err.code).toBe('NOT_SUPPORTED');
    expect(err.message).toMatch(/espeak-ng.*Amazon Polly is not wired/);
    expect(seen.at(-1)![1]).toMatchObject({ status: 'failed', error: { code: 'NOT_SUPPORTED' } });
  });

  it('a voiceover with a voice espeak-ng does not have fails on the voice field', async () => {
    const { kind } = recording({ espeak: 'espeak-ng' });
    const req = kind.parse(
      project([scene('v', { source: 'voiceover', text: 'hello', voice: 'zz-nope' }, 'pending')]),
    );
    const c = { ...ctx(), scratchDir: await mkdtemp(join(tmpdir(), 'cutline-vo-')) };
    const err = (await kind.prepareItem!(req, kind.prepareItems!(req)[0]!, c).catch(
      (e) => e,
    )) as CutlineError;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details[0]!.path).toBe('project.scenes[0].voice');
  });
});

describe('project job: expand', () => {
  it('one rendition: scenes end to end (frame-exact), captions above, speech below, the backing track as soundtrack', async () => {
    const req = projectKind.parse(
      project(
        [
          scene('up', { source: 'upload', src: 'clip.mp4', trim: 1 }),
          scene('img', { source: 'image', src: 'pic.png', length: 2.01, caption: 'Hi' }),
          scene('card', { source: 'title', text: 'Card', background: '#112233' }),
          scene('vo', { source: 'voiceover', text: 'words' }, 'pending'),
        ],
        { audio: { src: 'song.mp3', volume: 0.5 }, transition: 'fade' },
      ),
    );
    const prepared = new Map<string, unknown>([
      ['scene-vo', { src: 's3://ingest/inputs/t/vo.wav', kind: 'audio', durationSeconds: 1.234 }],
    ]);
    const renditions = await projectKind.expand(req, ctx(prepared));
    expect(renditions).toHaveLength(1);
    const { name, edit, meta } = renditions[0]!;
    expect(name).toBe('final');
    // upload: probe 3.4 s - trim 1 = 2.4; image 2.01 → 2.0 (frame-exact at 25 fps); title 3; voiceover 1.234 + 0.5 → 1.72
    const scenes = meta!.scenes as Array<{ id: string; start: number; length: number }>;
    expect(scenes.map((s) => [s.id, s.start, s.length])).toEqual([
      ['up', 0, 2.4],
      ['img', 2.4, 2],
      ['card', 4.4, 3],
      ['vo', 7.4, 1.72],
    ]);
    expect(edit.output).toEqual({ format: 'mp4', resolution: 'sd', aspectRatio: '16:9' });
    expect(edit.timeline.soundtrack).toEqual({ src: 'song.mp3', volume: 0.5 });
    const [captions, visuals, speech] = edit.timeline.tracks;
    expect(captions!.clips).toEqual([
      { asset: { type: 'title', text: 'Hi', style: 'subtitle', position: 'bottom' }, start: 2.4, length: 2 },
    ]);
    expect(visuals!.clips.map((c) => [c.asset.type, c.start, c.length, c.transition])).toEqual([
      ['video', 0, 2.4, { in: 'fade', out: 'fade' }],
      ['image', 2.4, 2, { in: 'fade', out: 'fade' }],
      ['text', 4.4, 3, { in: 'fade', out: 'fade' }],
      ['text', 7.4, 1.72, { in: 'fade', out: 'fade' }],
    ]);
    expect(visuals!.clips[1]!.effect).toBe('zoomIn');
    expect(visuals!.clips[0]!.asset).toMatchObject({ type: 'video', src: 'clip.mp4', trim: 1 });
    expect(speech!.clips).toEqual([
      { asset: { type: 'audio', src: 's3://ingest/inputs/t/vo.wav' }, start: 7.4, length: 1.234 },
    ]);
  });

  it('composeCompletedOnly leaves out scenes that are not completed; the mode picks the frame', async () => {
    const req = projectKind.parse({
      ...project(
        [
          scene('a', { source: 'title', text: 'A', length: 1 }),
          scene('b', { source: 'voiceover', text: 'B' }, 'failed'),
          scene('c', { source: 'title', text: 'C', length: 2 }),
        ],
        { mode: 'ad-creative' },
      ),
      composeCompletedOnly: true,
      transition: 'none',
    });
    const [r] = await projectKind.expand(req, ctx());
    expect((r!.meta!.scenes as Array<{ id: string }>).map((s) => s.id)).toEqual(['a', 'c']);
    expect(r!.edit.timeline.tracks).toHaveLength(1);
    expect(r!.edit.timeline.tracks[0]!.clips.map((c) => [c.start, c.length, c.transition])).toEqual([
      [0, 1, undefined],
      [1, 2, undefined],
    ]);
    expect(r!.edit.output.aspectRatio).toBe('9:16');

    const none = projectKind.parse({
      ...project([scene('b', { source: 'voiceover', text: 'B' }, 'failed')]),
      composeCompletedOnly: true,
    });
    const err = (await projectKind.expand(none, ctx()).catch((e) => e)) as CutlineError;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toMatch(/no completed scene/);
  });

  it('a voiceover whose speech was not made cannot be placed: it says so', async () => {
    const req = projectKind.parse(project([scene('vo', { source: 'voiceover', text: 'x' }, 'pending')]));
    const err = (await projectKind.expand(req, ctx()).catch((e) => e)) as CutlineError;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toMatch(/project\.scenes\[0\]: the voiceover has not been generated/);
  });
});
