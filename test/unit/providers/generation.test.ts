import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/core/config.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { assertGenerationBudget, plannedUsd } from '../../../lambdas/core/providers/generation/budget.js';
import { httpGenerator } from '../../../lambdas/core/providers/generation/http.js';
import { pollGeneration, startGeneration } from '../../../lambdas/core/providers/generation/index.js';
import { continuitySeed, withSubject } from '../../../lambdas/core/providers/generation/prompt.js';
import { readGenerationSettings } from '../../../lambdas/core/providers/generation/settings.js';
import type { GenerationStep, Generator } from '../../../lambdas/core/providers/generation/types.js';
import { colorVideoFixture, FIXTURES, imageFixture } from '../../helpers/fixtures.js';

let scratch: string;
beforeAll(async () => {
  await Promise.all([colorVideoFixture('blue', 1), imageFixture('red')]);
  scratch = await mkdtemp(join(tmpdir(), 'cutline-generation-'));
});

const ask = async () => ({
  kind: 'video' as const,
  prompt: 'p',
  durationSeconds: 1,
  width: 320,
  height: 180,
  seed: 1,
});

/** A generator that answers the given steps in order (start and poll alike), recording each attempt. */
function scripted(steps: GenerationStep[]) {
  const attempts: number[] = [];
  const g: Generator = {
    name: 'http',
    start: async (_a, _j, attempt) => (attempts.push(attempt), steps.shift()!),
    poll: async () => steps.shift()!,
  };
  return { g, attempts };
}

describe('generation runner', () => {
  it('a failed attempt is started again (a new attempt number) until retries run out, then fails with the path', async () => {
    const metered: Array<[string, number]> = [];
    const job = {
      tenantId: 't',
      jobId: 'j',
      itemId: 'i',
      scratchDir: scratch,
      at: 'project.scenes[2]',
      meter: async (p: string, u: number) => void metered.push([p, u]),
    };
    const { g, attempts } = scripted([
      { wait: { seconds: 1, state: { id: 'a' } } },
      { failed: 'bad day' },
      { wait: { seconds: 1, state: { id: 'b' } } },
      { file: join(FIXTURES, 'color-blue-1.mp4'), usage: [{ provider: 'http-video', units: 1 }] },
    ]);
    const first = await startGeneration(job, ask, g, 2);
    expect(first).toEqual({
      wait: { seconds: 1, state: { id: 'a', generationAttempt: 0, generationKind: 'video' } },
    });
    const again = await pollGeneration(
      job,
      (first as { wait: { state: Record<string, string | number> } }).wait.state,
      ask,
      g,
      2,
    );
    expect(again).toEqual({
      wait: { seconds: 1, state: { id: 'b', generationAttempt: 1, generationKind: 'video' } },
    });
    const done = await pollGeneration(
      job,
      (again as { wait: { state: Record<string, string | number> } }).wait.state,
      ask,
      g,
      2,
    );
    expect(done).toMatchObject({ media: { kind: 'video', path: join(FIXTURES, 'color-blue-1.mp4') } });
    expect((done as { media: { durationSeconds: number } }).media.durationSeconds).toBeCloseTo(1, 1);
    expect(attempts).toEqual([0, 1]);
    expect(metered).toEqual([['http-video', 1]]);

    const out = scripted([{ failed: 'still bad' }]);
    const err = (await startGeneration(job, ask, out.g, 0).catch((e: unknown) => e)) as CutlineError;
    expect(err.code).toBe('RENDER_FAILED');
    expect(err.message).toMatch(/^project\.scenes\[2\]: generation failed 1 time\(s\): still bad/);
  });

  it('a file that is not what was asked (a still for a clip) fails loudly, not a broken render later', async () => {
    const { g } = scripted([{ file: join(FIXTURES, 'image-red.png'), usage: [] }]);
    const err = (await startGeneration(
      { tenantId: 't', jobId: 'j', itemId: 'i', scratchDir: scratch, at: 'x', meter: async () => undefined },
      ask,
      g,
      0,
    ).catch((e: unknown) => e)) as CutlineError;
    expect(err.code).toBe('RENDER_FAILED');
    expect(err.message).toMatch(/returned no video/);
  });
});

describe('cost cap', () => {
  const plan = (n: number, seconds = 6) =>
    Array.from({ length: n }, (_, i) => ({
      kind: 'video' as const,
      durationSeconds: seconds,
      referenceFrame: false,
      at: `project.scenes[${i}]`,
    }));

  it('estimates Nova Reel by whole shots ($0.08 a second) and Nova Canvas per image; the HTTP provider at 0', () => {
    expect(
      plannedUsd({ kind: 'video', durationSeconds: 4, referenceFrame: false, at: '' }, 'bedrock'),
    ).toBeCloseTo(0.48);
    expect(
      plannedUsd({ kind: 'video', durationSeconds: 7, referenceFrame: true, at: '' }, 'bedrock'),
    ).toBeCloseTo(1.0);
    expect(
      plannedUsd({ kind: 'image', durationSeconds: 0, referenceFrame: false, at: '' }, 'bedrock'),
    ).toBeCloseTo(0.04);
    expect(plannedUsd({ kind: 'video', durationSeconds: 60, referenceFrame: false, at: '' }, 'http')).toBe(0);
  });

  it('refuses (LIMIT_EXCEEDED) at the generation that passes the cap, naming the setting', () => {
    expect(() => assertGenerationBudget(plan(4), { generator: 'bedrock', maxUsd: 2 })).not.toThrow(); // 4 × $0.48
    let err: CutlineError | undefined;
    try {
      assertGenerationBudget(plan(5), { generator: 'bedrock', maxUsd: 2 });
    } catch (e) {
      err = e as CutlineError;
    }
    expect(err?.code).toBe('LIMIT_EXCEEDED');
    expect(err?.details).toEqual([
      { path: 'project.scenes[4]', message: expect.stringContaining(ENV.GENERATION_MAX_USD) },
    ]);
    expect(err?.message).toMatch(/estimated at \$2\.40, over the per-job cap of \$2\.00/);
    expect(() => assertGenerationBudget(plan(50, 120), { generator: 'http', maxUsd: 0 })).not.toThrow();
  });
});

describe('settings and prompts', () => {
  it('http when an endpoint is set, none otherwise; a bad setting is named', () => {
    expect(readGenerationSettings({}).generator).toBe('none');
    expect(readGenerationSettings({ [ENV.GENERATION_ENDPOINT]: 'http://127.0.0.1:9/' })).toMatchObject({
      generator: 'http',
      endpoint: 'http://127.0.0.1:9',
      pollSeconds: 5,
      retries: 2,
      maxUsd: 10,
    });
    expect(readGenerationSettings({ [ENV.GENERATOR]: 'bedrock' })).toMatchObject({
      pollSeconds: 30,
      videoModelId: 'amazon.nova-reel-v1:1',
      imageModelId: 'amazon.nova-canvas-v1:0',
    });
    expect(() => readGenerationSettings({ [ENV.GENERATOR]: 'http' })).toThrow(
      /needs CUTLINE_GENERATION_ENDPOINT/,
    );
    expect(() => readGenerationSettings({ [ENV.GENERATOR]: 'dalle' })).toThrow(
      /not one of bedrock, http, none/,
    );
    expect(() => readGenerationSettings({ [ENV.GENERATION_MAX_USD]: '-1' })).toThrow(
      /CUTLINE_GENERATION_MAX_USD/,
    );
  });

  it('the subject joins every prompt; one seed per subject', () => {
    expect(withSubject('a fox runs.', 'a red fox')).toBe('a fox runs. Subject: a red fox');
    expect(withSubject('a fox runs', undefined)).toBe('a fox runs');
    expect(continuitySeed('a red fox')).toBe(continuitySeed('a red fox'));
    expect(continuitySeed('a red fox')).not.toBe(continuitySeed('a blue fox'));
    expect(continuitySeed('x')).toBeLessThanOrEqual(2_147_483_646);
  });
});

describe('HTTP provider', () => {
  it('fetches media only from its own origin', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'succeeded', url: 'http://169.254.169.254/latest/meta-data' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      const g = httpGenerator(`http://127.0.0.1:${port}`, 1);
      const err = (await g
        .poll(
          { id: 'x', kind: 'video', seconds: 1, polls: 0 },
          { tenantId: 't', jobId: 'j', itemId: 'i', scratchDir: scratch, at: 'a' },
        )
        .catch((e: unknown) => e)) as CutlineError;
      expect(err.code).toBe('RENDER_FAILED');
      expect(err.message).toMatch(/only its own origin/);
    } finally {
      server.close();
    }
  });
});

describe('the cap at submit (the kinds parse every job before it is written or started)', () => {
  it('a project or an edit whose planned Bedrock generations pass the cap is a 400 LIMIT_EXCEEDED at the path', async () => {
    const { projectKind } = await import('../../../lambdas/core/projects/kind.js');
    const { renderKind } = await import('../../../lambdas/core/kinds/render.js');
    const saved = { g: process.env[ENV.GENERATOR], m: process.env[ENV.GENERATION_MAX_USD] };
    process.env[ENV.GENERATOR] = 'bedrock';
    process.env[ENV.GENERATION_MAX_USD] = '1';
    try {
      const scene = (id: string, length: number) => ({
        id,
        status: 'pending',
        attempts: 0,
        source: 'generate',
        prompt: 'p',
        length,
      });
      // 6 s ($0.48) fits; 6 s + 7 s (12 s billed: $1.44 more) does not.
      expect(() => projectKind.parse({ project: { mode: 'custom', scenes: [scene('a', 6)] } })).not.toThrow();
      const err = (() => {
        try {
          projectKind.parse({ project: { mode: 'custom', scenes: [scene('a', 6), scene('b', 7)] } });
        } catch (e) {
          return e as CutlineError;
        }
      })();
      expect(err?.code).toBe('LIMIT_EXCEEDED');
      expect(err?.details[0]?.path).toBe('project.scenes[1]');
      // A still with a first frame is a contradiction, refused at its path before anything runs.
      expect(() =>
        projectKind.parse({
          project: { mode: 'custom', scenes: [{ ...scene('c', 2), kind: 'image', image: 'inputs/t/a.png' }] },
        }),
      ).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          details: [expect.objectContaining({ path: 'project.scenes[0].image' })],
        }),
      );
      const clip = (length: number) => ({
        asset: { type: 'image-to-video', src: 'inputs/t/a.png' },
        start: 0,
        length,
      });
      const edit = (clips: unknown[]) => ({
        timeline: { tracks: [{ clips }] },
        output: { format: 'mp4', resolution: 'sd' },
      });
      expect(() => renderKind.parse(edit([clip(6)]))).not.toThrow();
      expect(() => renderKind.parse(edit([clip(6), { ...clip(13), start: 6 }]))).toThrow(
        expect.objectContaining({ code: 'LIMIT_EXCEEDED' }),
      );
      // Nothing configured: the asset is refused naming what to configure.
      process.env[ENV.GENERATOR] = 'none';
      expect(() => renderKind.parse(edit([clip(6)]))).toThrow(
        expect.objectContaining({
          code: 'NOT_SUPPORTED',
          message: expect.stringMatching(/ai\.generation.*CUTLINE_GENERATION_ENDPOINT/),
        }),
      );
    } finally {
      for (const [k, v] of [
        [ENV.GENERATOR, saved.g],
        [ENV.GENERATION_MAX_USD, saved.m],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});

describe('a bare render of an AI asset', () => {
  it('is refused at its path (a job generates it first; the renderer never guesses)', async () => {
    const { assertGenerationResolved } = await import('../../../lambdas/core/providers/generated-assets.js');
    const { parseEdit } = await import('../../../lambdas/core/intake/parse-edit.js');
    process.env[ENV.GENERATION_ENDPOINT] = 'http://127.0.0.1:9';
    try {
      const edit = parseEdit({
        timeline: {
          tracks: [
            { clips: [{ asset: { type: 'title', text: 'x' }, start: 0, length: 1 }] },
            {
              clips: [
                {
                  asset: { type: 'text-to-image', prompt: 'a cat', width: 512, height: 512 },
                  start: 0,
                  length: 1,
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', resolution: 'sd' },
      });
      expect(() => assertGenerationResolved(edit)).toThrow(
        expect.objectContaining({
          code: 'NOT_SUPPORTED',
          details: [
            { path: 'timeline.tracks[1].clips[0].asset.type', message: 'not resolved before rendering' },
          ],
        }),
      );
    } finally {
      delete process.env[ENV.GENERATION_ENDPOINT];
    }
  });
});
