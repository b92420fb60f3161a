import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { CutlineError } from '../../errors.js';
import { refusal } from '../refusal.js';
import { pngBase64 } from './frames.js';
import type { GenerationAsk, GenerationJob } from './types.js';

/** Nova Canvas sizes: each side a multiple of 16 in 320–4096, at most 4,194,304 pixels, ratio within 1:4–4:1. */
const SIDE_MIN = 320;
const SIDE_MAX = 4096;
const MAX_PIXELS = 4_194_304;
/** Characters of prompt Nova Canvas takes; at most 5 pictures to vary. */
export const CANVAS_PROMPT = 1024;
export const CANVAS_MAX_REFERENCES = 5;
/** How closely a character reference is followed (0.2–1.0): close enough to keep a face, loose enough to pose it. */
export const REFERENCE_SIMILARITY = 0.7;
/** References are sent at most this many pixels a side (they need no more to be recognized). */
const REFERENCE_SIDE = 1024;

/** Nova Canvas seeds run 0–858,993,459 (Nova Reel's to 2,147,483,646): the project's seed, folded in. */
export const CANVAS_SEED_LIMIT = 858_993_460;

const to16 = (v: number) => Math.max(SIDE_MIN, Math.min(SIDE_MAX, Math.round(v / 16) * 16));

/** Pure: the nearest size Nova Canvas makes for a wanted frame (same shape, within its limits). */
export function canvasSize(width: number, height: number): { width: number; height: number } {
  let ratio = width / height;
  ratio = Math.min(4, Math.max(1 / 4, ratio));
  let w = width;
  let h = w / ratio;
  const scale = Math.min(1, Math.sqrt(MAX_PIXELS / (w * h)), SIDE_MAX / Math.max(w, h));
  w *= scale;
  h *= scale;
  const up = Math.max(1, SIDE_MIN / Math.min(w, h));
  let out = { width: to16(w * up), height: to16(h * up) };
  while (out.width * out.height > MAX_PIXELS) out = { width: out.width - 16, height: out.height - 16 };
  return out;
}

/** Pure: the documented InvokeModel body: TEXT_IMAGE, or IMAGE_VARIATION of the character references. */
export function canvasBody(
  ask: Pick<GenerationAsk, 'prompt' | 'width' | 'height' | 'seed'>,
  references: readonly string[] = [],
) {
  const imageGenerationConfig = {
    numberOfImages: 1,
    ...canvasSize(ask.width, ask.height),
    quality: 'standard',
    seed: ask.seed % CANVAS_SEED_LIMIT,
  };
  if (references.length)
    return {
      taskType: 'IMAGE_VARIATION',
      imageVariationParams: {
        text: ask.prompt,
        images: references.slice(0, CANVAS_MAX_REFERENCES),
        similarityStrength: REFERENCE_SIMILARITY,
      },
      imageGenerationConfig,
    };
  return { taskType: 'TEXT_IMAGE', textToImageParams: { text: ask.prompt }, imageGenerationConfig };
}

export interface CanvasEdge {
  client: BedrockRuntimeClient;
  modelId: string;
}

/** Amazon Nova Canvas (InvokeModel, synchronous): one PNG from the prompt, or varied from references. */
export function novaCanvas(edge: CanvasEdge) {
  return async function generateImage(ask: GenerationAsk, job: GenerationJob): Promise<string> {
    if (ask.prompt.length > CANVAS_PROMPT)
      throw new CutlineError(
        'VALIDATION_FAILED',
        `${job.at}.prompt: Nova Canvas takes at most ${CANVAS_PROMPT} characters of prompt (with the project's subject); this one has ${ask.prompt.length}`,
        [{ path: `${job.at}.prompt`, message: `at most ${CANVAS_PROMPT} characters with the subject` }],
      );
    const dir = join(job.scratchDir, `canvas-${job.itemId}`);
    await mkdir(dir, { recursive: true });
    const refs = await Promise.all(
      (ask.references ?? [])
        .slice(0, CANVAS_MAX_REFERENCES)
        .map((path, i) => pngBase64(path, REFERENCE_SIDE, REFERENCE_SIDE, dir, `reference-${i}`)),
    );
    let body: { images?: string[]; error?: string | null };
    try {
      const res = await edge.client.send(
        new InvokeModelCommand({
          modelId: edge.modelId,
          contentType: 'application/json',
          accept: 'application/json',
          body: JSON.stringify(canvasBody(ask, refs)),
        }),
      );
      body = JSON.parse(new TextDecoder().decode(res.body)) as typeof body;
    } catch (err) {
      throw refusal('Amazon Bedrock (Nova Canvas)', err);
    }
    const image = body.images?.[0];
    if (!image)
      throw new CutlineError(
        'VALIDATION_FAILED',
        `${job.at}: Nova Canvas made no image: ${body.error ?? 'no reason given'}`,
        [{ path: `${job.at}.prompt`, message: body.error ?? 'no image made' }],
      );
    const path = join(dir, 'image.png');
    await writeFile(path, Buffer.from(image, 'base64'));
    return path;
  };
}
