import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canvasSize, novaCanvas } from '../../../lambdas/core/providers/generation/nova-canvas.js';
import { FIXTURES, imageFixture } from '../../helpers/fixtures.js';

/**
 * Contract of Nova Canvas through InvokeModel, checked against the Nova user guide's request schema:
 * modelId amazon.nova-canvas-v1:0, contentType and accept application/json; body taskType TEXT_IMAGE with
 * textToImageParams.text (1–1024 chars), or IMAGE_VARIATION with imageVariationParams {text, images: 1–5
 * base64 pictures, similarityStrength 0.2–1.0}; imageGenerationConfig {numberOfImages 1–5, width and
 * height multiples of 16 in 320–4096, at most 4,194,304 pixels, quality standard | premium, seed
 * 0–858,993,459}. The answer is {images: [base64 PNG], error?}.
 */
const bedrock = mockClient(BedrockRuntimeClient);
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
let scratch: string;
const job = () => ({
  tenantId: 't',
  jobId: 'j',
  itemId: 'generate-0-0',
  scratchDir: scratch,
  at: 'timeline.tracks[0].clips[0].asset',
});
const canvas = () =>
  novaCanvas({
    client: new BedrockRuntimeClient({ region: 'us-east-1' }),
    modelId: 'amazon.nova-canvas-v1:0',
  });
const ask = {
  kind: 'image' as const,
  prompt: 'a lighthouse at dawn',
  durationSeconds: 0,
  width: 1280,
  height: 720,
  seed: 7,
};
/** The InvokeModel body as sent (the SDK takes a string or bytes). */
const body = (i = 0) => {
  const raw = bedrock.commandCalls(InvokeModelCommand)[i]!.args[0].input.body;
  return JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw as Uint8Array));
};

beforeAll(async () => {
  await imageFixture('red');
  scratch = await mkdtemp(join(tmpdir(), 'cutline-canvas-'));
});
beforeEach(() => bedrock.reset());

describe('Nova Canvas (contract)', () => {
  it('TEXT_IMAGE: one standard image at the nearest size it makes; the PNG is written to scratch', async () => {
    bedrock.on(InvokeModelCommand).resolves({
      body: new TextEncoder().encode(JSON.stringify({ images: [PNG.toString('base64')] })) as never,
    });
    const path = await canvas()(ask, job());
    const input = bedrock.commandCalls(InvokeModelCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      modelId: 'amazon.nova-canvas-v1:0',
      contentType: 'application/json',
      accept: 'application/json',
    });
    expect(body()).toEqual({
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: 'a lighthouse at dawn' },
      imageGenerationConfig: { numberOfImages: 1, width: 1280, height: 720, quality: 'standard', seed: 7 },
    });
    expect((await readFile(path)).equals(PNG)).toBe(true);
    // A project seed beyond Nova Canvas's range (0–858,993,459) is folded into it, the same for every scene.
    await canvas()({ ...ask, seed: 2_000_000_000 }, job());
    expect(body(1).imageGenerationConfig.seed).toBe(2_000_000_000 % 858_993_460);
  });

  it('IMAGE_VARIATION of the character references keeps the subject across scenes', async () => {
    bedrock.on(InvokeModelCommand).resolves({
      body: new TextEncoder().encode(JSON.stringify({ images: [PNG.toString('base64')] })) as never,
    });
    const ref = join(FIXTURES, 'image-red.png');
    await canvas()({ ...ask, references: [ref, ref] }, job());
    const b = body();
    expect(b.taskType).toBe('IMAGE_VARIATION');
    expect(b.imageVariationParams.text).toBe('a lighthouse at dawn');
    expect(b.imageVariationParams.images).toHaveLength(2);
    expect(Buffer.from(b.imageVariationParams.images[0], 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(b.imageVariationParams.similarityStrength).toBeGreaterThanOrEqual(0.2);
    expect(b.imageVariationParams.similarityStrength).toBeLessThanOrEqual(1);
  });

  it('sizes: multiples of 16 within 320–4096 and 4.19 MP, the same shape', () => {
    for (const [w, h] of [
      [1280, 720],
      [320, 180],
      [1080, 1920],
      [4096, 4096],
      [100, 1000],
      [512, 512],
    ] as const) {
      const s = canvasSize(w, h);
      expect(s.width % 16, `${w}x${h}`).toBe(0);
      expect(s.height % 16, `${w}x${h}`).toBe(0);
      expect(Math.min(s.width, s.height)).toBeGreaterThanOrEqual(320);
      expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(4096);
      expect(s.width * s.height).toBeLessThanOrEqual(4_194_304);
      expect(s.width / s.height).toBeGreaterThanOrEqual(0.25);
      expect(s.width / s.height).toBeLessThanOrEqual(4);
      if (w / h >= 0.25 && w / h <= 4) expect(Math.abs(s.width / s.height - w / h)).toBeLessThan(0.06);
    }
  });

  it("the model's refusal (no image) is a VALIDATION_FAILED with the asset's path", async () => {
    bedrock.on(InvokeModelCommand).resolves({
      body: new TextEncoder().encode(JSON.stringify({ images: [], error: 'content filter' })) as never,
    });
    const err = (await canvas()(ask, job()).catch((e: unknown) => e)) as {
      code: string;
      details: Array<{ path: string }>;
      message: string;
    };
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toMatch(/content filter/);
    expect(err.details[0]!.path).toBe('timeline.tracks[0].clips[0].asset.prompt');
  });
});
