import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { ENV } from '../../../lambdas/core/config.js';
import { providerCall } from '../../../lambdas/core/providers/call.js';
import { pollGeneration, startGeneration } from '../../../lambdas/core/providers/generation/index.js';
import type {
  GenerationAsk,
  GenerationStep,
  Generator,
} from '../../../lambdas/core/providers/generation/types.js';
import { resetProviderSettings } from '../../../lambdas/core/providers/settings.js';
import { usageStore } from '../../../lambdas/core/usage/index.js';
import { reply, scriptedModel } from '../../helpers/llm-server.js';
import { ffmpeg } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';
import { speechVideo } from '../../helpers/speech.js';

/**
 * Scene planning through the real local platform with an LLM: a scripted OpenAI-compatible model server
 * on loopback (CUTLINE_LLM_ENDPOINT) writes the prompts; the backing track's beat grid decides the cuts;
 * every call is metered on the tenant's month and refused before it is made when the budget is spent.
 */
let platform: LocalPlatform;
let call: Api;
let model: Awaited<ReturnType<typeof scriptedModel>>;
let projectId: string;

const BUDGET_USD = 2;
const USD_PER_MILLION = 1000;
const BUDGET_TENANT = 'tenant-with-a-budget';
const GENERATION_TENANT = 'tenant-who-generates';

beforeAll(async () => {
  await speechVideo();
  model = await scriptedModel();
  process.env[ENV.LLM_ENDPOINT] = model.url;
  process.env[ENV.LLM_MODEL] = 'scripted';
  process.env[ENV.LLM_PRICE] = String(USD_PER_MILLION);
  resetProviderSettings();
  platform = await startTestPlatform({
    quotas: {
      default: { providerUsdPerMonth: BUDGET_USD },
      [BUDGET_TENANT]: { providerUsdPerMonth: 2 },
      [GENERATION_TENANT]: { providerUsdPerMonth: 0.6 },
    },
  });
  call = api(platform);
  // A click every 0.5 s (120 bpm) for 16.2 s: the beats are known.
  const file = join(await mkdtemp(join(tmpdir(), 'cutline-plan-llm-')), 'clicks.wav');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    "aevalsrc='if(lt(mod(t,0.5),0.005),sin(2*PI*1000*t),0)':s=44100:d=16.2",
    file,
  ]);
  const bytes = await readFile(file);
  const up = await call('POST', '/v1/uploads', {
    filename: 'clicks.wav',
    contentType: 'audio/wav',
    bytes: bytes.length,
  });
  await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: bytes });
  const made = await call('POST', '/v1/projects', {
    mode: 'music-video',
    prompt: 'A lighthouse keeper waits for a storm',
    subject: 'an old keeper in a yellow coat',
    audio: { src: up.body.src },
  });
  projectId = made.body.id;
});
afterAll(async () => {
  await platform?.close();
  await model?.close();
  delete process.env[ENV.LLM_ENDPOINT];
  delete process.env[ENV.LLM_MODEL];
  delete process.env[ENV.LLM_PRICE];
  resetProviderSettings();
});

const plan = (scenes: Array<{ prompt: string; seconds: number | string; shot: string }>) =>
  '```json\n' + JSON.stringify({ scenes }) + '\n```';

describe('LLM scene planning on the local platform', () => {
  it('the model writes prompts and proposes lengths; cuts land on beats and sum to the track; junk is asked again', async () => {
    model.queue(
      reply('Here is a lovely plan for your video!'),
      reply(
        plan([
          {
            prompt: 'Grey sea under a low sky, the lighthouse far off',
            seconds: 2,
            shot: 'wide, slow push in',
          },
          {
            prompt: 'The keeper climbs the spiral stair with a lamp',
            seconds: '6',
            shot: 'low angle, follow',
          },
          { prompt: 'Waves break over the rocks below the tower', seconds: 3, shot: 'close, handheld' },
          { prompt: 'The lamp turns as the storm arrives', seconds: 5.2, shot: 'top shot, spin' },
        ]),
      ),
    );
    const before = model.requests.length;
    const res = await call('POST', `/v1/projects/${projectId}/plan`, { scenes: 4 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The junk answer was asked again: two requests, the second answered with the plan.
    expect(model.requests.length - before).toBe(2);
    const req = model.requests[before]!;
    expect(req.model).toBe('scripted');
    expect(req.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'plan_scenes', strict: true },
    });
    expect(JSON.stringify(req.response_format!.json_schema!.schema)).toContain(
      '"required":["prompt","seconds","shot"]',
    );
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const brief = JSON.parse(req.messages[1]!.content);
    expect(brief).toMatchObject({
      mode: 'music-video',
      idea: 'A lighthouse keeper waits for a storm',
      subject: 'an old keeper in a yellow coat',
      scenes: 4,
    });
    expect(brief.totalSeconds).toBeCloseTo(16.2, 2);
    expect(Math.abs(brief.tempoBpm - 120)).toBeLessThan(2);

    expect(res.body.planner).toEqual({ provider: 'openai', model: 'scripted' });
    const scenes = res.body.scenes as Array<{
      start: number;
      length: number;
      prompt: string;
      shot: string;
      proposedLength: number;
    }>;
    expect(scenes.map((s) => s.prompt)).toEqual([
      'Grey sea under a low sky, the lighthouse far off',
      'The keeper climbs the spiral stair with a lamp',
      'Waves break over the rocks below the tower',
      'The lamp turns as the storm arrives',
    ]);
    expect(scenes.map((s) => s.shot)[1]).toBe('low angle, follow');
    expect(scenes.map((s) => s.proposedLength)).toEqual([2, 6, 3, 5.2]);
    // The proposal's cuts (2, 8, 11 s), not even shares (4, 8, 12), each on a click of the 0.5 s grid.
    const starts = scenes.map((s) => s.start);
    expect(starts[0]).toBe(0);
    [2, 8, 11].forEach((t, i) => expect(Math.abs(starts[i + 1]! - t)).toBeLessThan(0.06));
    for (const t of starts.slice(1)) expect(Math.abs(t - Math.round(t / 0.5) * 0.5)).toBeLessThan(0.03);
    expect(scenes.reduce((t, s) => t + s.length, 0)).toBeCloseTo(res.body.length, 2);
    // Both answers cost tokens, the junk one too: 2 × 300 on the month.
    const usage = await call('GET', '/v1/usage');
    expect(usage.body.providers.byProvider.openai).toEqual({ unit: 'tokens', units: 600, usd: 0.6 });
  });

  it('a model that refuses (content filter) is a 400 at the prompt; one that is down a 502 after its retries', async () => {
    model.queue(reply('', 50, { refusal: 'I can not help with that.' }));
    const refused = await call('POST', `/v1/projects/${projectId}/plan`, { scenes: 3 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'prompt' }] });
    expect(refused.body.error.message).toMatch(/reword the project's prompt/);
    // The refusal's 50 tokens are counted; nothing else changed.
    expect((await call('GET', '/v1/usage')).body.providers.byProvider.openai.units).toBe(650);

    const before = model.requests.length;
    model.queue({ status: 503, body: {} }, { status: 503, body: {} }, { status: 503, body: {} });
    const down = await call('POST', `/v1/projects/${projectId}/plan`, { scenes: 3 });
    expect(down.status).toBe(502);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.body.error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(down.body.error.message).toMatch(/CUTLINE_LLM_ENDPOINT.*HTTP 503/);
    expect(down.body.error.message).not.toContain('127.0.0.1');
    expect(model.requests.length - before).toBe(3);
  });

  it('every call is metered on the month; one the budget has no room for is refused before the model is asked', async () => {
    const good = () =>
      reply(
        plan([
          { prompt: 'Storm clouds', seconds: 8, shot: 'wide' },
          { prompt: 'The lamp', seconds: 8, shot: 'close' },
        ]),
      );
    let ok = 0;
    let refused: Awaited<ReturnType<Api>> | undefined;
    for (let i = 0; i < 8 && !refused; i++) {
      model.queue(good());
      const before = model.requests.length;
      const res = await call('POST', `/v1/projects/${projectId}/plan`, { scenes: 2 });
      if (res.status === 200) ok++;
      else {
        refused = res;
        // Refused before the call: the model got no request, and its turn is still waiting.
        expect(model.requests.length).toBe(before);
        expect(model.pending()).toBe(1);
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused?.status).toBe(429);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused!.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(refused!.body.error.message).toMatch(/the OpenAI-compatible LLM endpoint was not called/);
    expect(refused!.body.error.message).toMatch(/raise providerUsdPerMonth/);

    const usage = await call('GET', '/v1/usage');
    expect(usage.status).toBe(200);
    const openai = usage.body.providers.byProvider.openai;
    expect(openai.unit).toBe('tokens');
    // The earlier answers (650 tokens) and 300 tokens for each plan here; the 503s cost nothing.
    expect(openai.units).toBe(650 + 300 * ok);
    expect(usage.body.providers.estimatedUsd).toBeCloseTo((openai.units * USD_PER_MILLION) / 1e6, 5);
    expect(usage.body.providers.estimatedUsd).toBeLessThanOrEqual(BUDGET_USD);
    expect(usage.body.quota.providerUsd).toBe(usage.body.providers.estimatedUsd);
  });

  it('a job whose provider call the budget has no room for fails before the call, naming the provider and the quota', async () => {
    const left = BUDGET_USD - (await call('GET', '/v1/usage')).body.providers.estimatedUsd;
    // A ranking call is estimated at its prompt plus 1000 tokens of answer: $1 or more at this price.
    expect(left).toBeLessThan((1000 * USD_PER_MILLION) / 1e6);
    const before = model.requests.length;
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('librivox-speech-black.mp4'),
      mode: 'auto',
      count: 1,
      length: 4,
      captions: { transcribe: true },
      aspectRatios: ['16:9'],
      output: { resolution: 'preview' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 300_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('QUOTA_EXCEEDED');
    expect(job.error.message).toMatch(/the OpenAI-compatible LLM endpoint was not called/);
    expect(job.error.message).toMatch(/raise providerUsdPerMonth/);
    expect(model.requests.length).toBe(before);
  });

  it("a job's provider calls go through the same gate: a voiceover scene's espeak-ng characters are counted on the month", async () => {
    const text = 'The storm has passed.';
    const made = await call('POST', '/v1/projects', {
      mode: 'custom',
      output: { size: { width: 160, height: 90 } },
      scenes: [{ source: 'voiceover', text }],
    });
    const before = (await call('GET', '/v1/usage')).body.providers.byProvider.espeak?.units ?? 0;
    const composed = await call('POST', `/v1/projects/${made.body.id}/compose`, {});
    expect(composed.status).toBe(202);
    const { job } = await waitForJob(call, composed.body.jobId, 180_000);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    const espeak = (await call('GET', '/v1/usage')).body.providers.byProvider.espeak;
    expect(espeak).toMatchObject({ unit: 'characters', usd: 0 });
    expect(espeak.units - before).toBe(text.length);
  });

  it('parallel calls reserve atomically: of six that each need a third of the budget, exactly three are made', async () => {
    // Bedrock at $0.60 a million tokens: a million-token call is $0.60, three fit in $2, a fourth does not.
    let made = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        providerCall(
          { tenantId: BUDGET_TENANT },
          'bedrock',
          1_000_000,
          async () => {
            made++;
            await new Promise((r) => setTimeout(r, 50));
            return { tokens: 1_000_000 };
          },
          (r) => r.tokens,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual(Array(3).fill('QUOTA_EXCEEDED'));
    expect(refused[0]!.reason.message).toMatch(
      /Amazon Bedrock was not called: this call is estimated at \$0\.60/,
    );
    expect(made).toBe(3);
    const month = new Date().toISOString().slice(0, 7);
    expect(await usageStore().getProviderSpend(BUDGET_TENANT, month)).toEqual({
      usd: 1.8,
      providers: { bedrock: { unit: 'tokens', units: 3_000_000, usd: 1.8 } },
    });
  });
});

describe('generation counts against the month too', () => {
  /** A stand-in for Bedrock (priced as Nova Canvas / Nova Reel): stills at once, clips after polls. */
  function fakeBedrock(still: string, polls: GenerationStep[]) {
    const calls = { starts: 0, polls: 0 };
    const g: Generator = {
      name: 'bedrock',
      start: async (ask: GenerationAsk) => {
        calls.starts++;
        return ask.kind === 'image'
          ? { file: still, usage: [{ provider: 'nova-canvas', units: 1 }] }
          : { wait: { seconds: 1, state: { invocation: `inv-${calls.starts}` } } };
      },
      poll: async () => polls[calls.polls++]!,
    };
    return { g, calls };
  }
  const job = (itemId: string) => ({
    tenantId: GENERATION_TENANT,
    jobId: `job-${itemId}`,
    itemId,
    scratchDir: tmpdir(),
    at: `scenes[${itemId}]`,
    meter: async () => undefined,
  });
  const ask = (kind: 'image' | 'video') => async (): Promise<GenerationAsk> => ({
    kind,
    prompt: 'a lighthouse',
    durationSeconds: 6,
    width: 320,
    height: 180,
    seed: 1,
  });
  const spend = () => usageStore().getProviderSpend(GENERATION_TENANT, new Date().toISOString().slice(0, 7));

  it('a clip reserves its seconds before it starts, a failed attempt gives them back, and a start the month has no room for is refused before the provider is asked', async () => {
    const still = join(await mkdtemp(join(tmpdir(), 'cutline-gen-budget-')), 'still.png');
    await ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=64x36', '-frames:v', '1', still]);
    const clip = join(tmpdir(), `cutline-gen-budget-${Date.now()}.mp4`);
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=64x36:r=24:d=1', '-pix_fmt', 'yuv420p', clip]);
    // Nova Reel at $0.08 a second: a 6 s clip is $0.48 of the $0.60 month.
    const { g, calls } = fakeBedrock(still, [
      { failed: 'the model could not make it' },
      { file: clip, usage: [{ provider: 'nova-reel', units: 6 }] },
    ]);
    const first = await startGeneration(job('a'), ask('video'), g, 2);
    if (!('wait' in first)) throw new Error('a clip waits for its polls');
    expect((await spend()).usd).toBeCloseTo(0.48, 6); // reserved while it runs
    // The first attempt fails: given back, the second reserved and started.
    const second = await pollGeneration(job('a'), first.wait.state, ask('video'), g, 2);
    if (!('wait' in second)) throw new Error('the restarted attempt waits too');
    expect(calls.starts).toBe(2);
    expect((await spend()).usd).toBeCloseTo(0.48, 6);
    const done = await pollGeneration(job('a'), second.wait.state, ask('video'), g, 2);
    expect('media' in done).toBe(true);
    expect(await spend()).toEqual({
      usd: 0.48,
      providers: { 'nova-reel': { unit: 'seconds', units: 6, usd: 0.48 } },
    });
    // $0.12 left: two stills at $0.04 fit, and the one after them does not reach the provider.
    await startGeneration(job('b'), ask('image'), g, 2);
    await startGeneration(job('c'), ask('image'), g, 2);
    expect(calls.starts).toBe(4);
    await expect(startGeneration(job('d'), ask('image'), g, 2)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    await expect(startGeneration(job('e'), ask('video'), g, 2)).rejects.toThrow(
      /Amazon Bedrock \(Nova Reel\) was not called: this call is estimated at \$0\.48/,
    );
    expect(calls.starts).toBe(4);
    const after = await spend();
    expect(after.usd).toBeCloseTo(0.56, 6);
    expect(after.providers['nova-canvas']).toEqual({ unit: 'images', units: 2, usd: 0.08 });
  });
});
