import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  StartAsyncInvokeCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { CutlineError } from '../../errors.js';
import { refusal } from '../refusal.js';
import { pngBase64 } from './frames.js';
import type { GenerationAsk, GenerationJob, GenerationStep, Usage } from './types.js';

/** Nova Reel's one frame size and rate. */
export const REEL_WIDTH = 1280;
export const REEL_HEIGHT = 720;
export const REEL_FPS = 24;
/** A shot is 6 seconds; a video is one shot, or 12–120 seconds in whole shots (multi-shot). */
export const REEL_SHOT_SECONDS = 6;
export const REEL_MAX_SECONDS = 120;
/** Characters of prompt a shot takes (TEXT_VIDEO and each manual shot); a multi-shot automated prompt 4000. */
export const REEL_SHOT_PROMPT = 512;
export const REEL_AUTOMATED_PROMPT = 4000;
/** How a failure caused by the input (not the service) reads, so it is not retried. */
const CONTENT_FILTERED = /content (filter|polic|moderation)|blocked|responsible ai|not allowed/i;
/** A 6-second video takes about 90 s, a 2-minute one about 17 minutes: polls for up to an hour. */
export const REEL_MAX_POLLS = 120;

/** Seconds Nova Reel makes (and bills) for a wanted length: whole shots, at least one, at most 120 s. */
export const reelSeconds = (wanted: number): number =>
  Math.min(REEL_MAX_SECONDS, Math.max(1, Math.ceil(wanted / REEL_SHOT_SECONDS - 1e-9)) * REEL_SHOT_SECONDS);

type Image = { format: 'png'; source: { bytes: string } };

/** Pure: the documented model input for a wanted video (single shot, or multi-shot beyond 6 s). */
export function reelModelInput(
  ask: Pick<GenerationAsk, 'prompt' | 'durationSeconds' | 'seed'>,
  image?: string,
) {
  const seconds = reelSeconds(ask.durationSeconds);
  const config = { fps: REEL_FPS, dimension: `${REEL_WIDTH}x${REEL_HEIGHT}`, seed: ask.seed };
  const picture: Image | undefined = image ? { format: 'png', source: { bytes: image } } : undefined;
  if (seconds === REEL_SHOT_SECONDS)
    return {
      taskType: 'TEXT_VIDEO',
      textToVideoParams: { text: ask.prompt, ...(picture ? { images: [picture] } : {}) },
      videoGenerationConfig: { durationSeconds: seconds, ...config },
    };
  // Beyond one shot: with a first frame, shots of the same words (the first from the picture); without,
  // one prompt the model divides into shots.
  if (picture)
    return {
      taskType: 'MULTI_SHOT_MANUAL',
      multiShotManualParams: {
        shots: Array.from({ length: seconds / REEL_SHOT_SECONDS }, (_, i) => ({
          text: ask.prompt,
          ...(i === 0 ? { image: picture } : {}),
        })),
      },
      videoGenerationConfig: config,
    };
  return {
    taskType: 'MULTI_SHOT_AUTOMATED',
    multiShotAutomatedParams: { text: ask.prompt },
    videoGenerationConfig: { durationSeconds: seconds, ...config },
  };
}

export interface ReelEdge {
  client: BedrockRuntimeClient;
  modelId: string;
  /** The bucket Bedrock writes the video to (the outputs bucket, under work/<jobId>/). */
  bucket: string;
  download(key: string, path: string): Promise<void>;
  pollSeconds: number;
  /** Makes the first frame from the character references when a clip has none (Nova Canvas). */
  referenceFrame?(ask: GenerationAsk, job: GenerationJob): Promise<{ path: string; usage: Usage[] }>;
}

/** Where an invocation's video lands: `<s3Uri>/<invocation id>/output.mp4` (the id ends the ARN). */
export const reelOutputKey = (prefix: string, invocationArn: string) =>
  `${prefix}/${invocationArn.slice(invocationArn.lastIndexOf('/') + 1)}/output.mp4`;

/**
 * Amazon Nova Reel through Bedrock's asynchronous invoke: StartAsyncInvoke writes the video to the
 * outputs bucket; the state machine waits and calls `poll` (GetAsyncInvoke) until Completed or Failed.
 */
export function novaReel(edge: ReelEdge) {
  return {
    async start(ask: GenerationAsk, job: GenerationJob, attempt: number): Promise<GenerationStep> {
      const seconds = reelSeconds(ask.durationSeconds);
      const limit = seconds === REEL_SHOT_SECONDS || ask.image ? REEL_SHOT_PROMPT : REEL_AUTOMATED_PROMPT;
      if (ask.prompt.length > limit)
        throw new CutlineError(
          'VALIDATION_FAILED',
          `${job.at}.prompt: Nova Reel takes at most ${limit} characters of prompt per shot (with the project's subject); this one has ${ask.prompt.length}`,
          [{ path: `${job.at}.prompt`, message: `at most ${limit} characters with the subject` }],
        );
      const usage: Usage[] = [];
      const dir = join(job.scratchDir, `reel-${job.itemId}`);
      await mkdir(dir, { recursive: true });
      let first = ask.image;
      if (!first && ask.references?.length && edge.referenceFrame) {
        const made = await edge.referenceFrame(ask, job);
        first = made.path;
        usage.push(...made.usage);
      }
      const image = first ? await pngBase64(first, REEL_WIDTH, REEL_HEIGHT, dir, 'first-frame') : undefined;
      const prefix = `work/${job.jobId}/generation/${job.itemId}`;
      let invocationArn: string | undefined;
      try {
        ({ invocationArn } = await edge.client.send(
          new StartAsyncInvokeCommand({
            modelId: edge.modelId,
            modelInput: reelModelInput(ask, image) as never,
            outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${edge.bucket}/${prefix}` } },
            // A retried task finds its own invocation instead of paying for a second one.
            clientRequestToken: `${job.jobId}-${job.itemId}-${attempt}`.slice(0, 256),
          }),
        ));
      } catch (err) {
        throw refusal('Amazon Bedrock (Nova Reel)', err);
      }
      if (!invocationArn) throw new CutlineError('RENDER_FAILED', 'Nova Reel answered no invocationArn');
      return {
        wait: {
          seconds: edge.pollSeconds,
          state: { arn: invocationArn, key: reelOutputKey(prefix, invocationArn), seconds, polls: 0 },
        },
        usage,
      };
    },
    async poll(state: Record<string, string | number>, job: GenerationJob): Promise<GenerationStep> {
      let res;
      try {
        res = await edge.client.send(new GetAsyncInvokeCommand({ invocationArn: String(state.arn) }));
      } catch (err) {
        throw refusal('Amazon Bedrock (Nova Reel)', err);
      }
      if (res.status === 'Completed') {
        const path = join(job.scratchDir, `${job.itemId}.mp4`);
        await edge.download(String(state.key), path);
        return { file: path, usage: [{ provider: 'nova-reel', units: Number(state.seconds) }] };
      }
      if (res.status === 'Failed') {
        const why = res.failureMessage ?? 'no reason given';
        // A content filter answers the same again: the person must change the prompt, not wait for a retry.
        if (CONTENT_FILTERED.test(why))
          throw new CutlineError('VALIDATION_FAILED', `${job.at}: Nova Reel refused the prompt: ${why}`, [
            { path: `${job.at}.prompt`, message: why },
          ]);
        return { failed: `Nova Reel: ${why}` };
      }
      const polls = Number(state.polls) + 1;
      if (polls >= REEL_MAX_POLLS)
        throw new CutlineError(
          'RENDER_FAILED',
          `Nova Reel invocation ${String(state.arn)} did not finish in time`,
        );
      return { wait: { seconds: edge.pollSeconds, state: { ...state, polls } } };
    },
  };
}
