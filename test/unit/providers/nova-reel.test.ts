import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  StartAsyncInvokeCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  novaReel,
  REEL_SHOT_PROMPT,
  reelModelInput,
  reelOutputKey,
  reelSeconds,
} from '../../../lambdas/core/providers/generation/nova-reel.js';
import type { GenerationAsk, GenerationJob } from '../../../lambdas/core/providers/generation/types.js';
import { imageFixture, FIXTURES } from '../../helpers/fixtures.js';

/**
 * Contract of the two Bedrock Runtime calls of Nova Reel, checked against the API reference and the Nova
 * user guide: StartAsyncInvoke (modelId; modelInput: taskType TEXT_VIDEO with textToVideoParams.text and
 * at most one image {format png|jpeg, source.bytes base64} of exactly 1280x720, videoGenerationConfig
 * durationSeconds 6, fps 24, dimension "1280x720", seed 0–2147483646; MULTI_SHOT_AUTOMATED with
 * multiShotAutomatedParams.text and durationSeconds a multiple of 6 in 12–120; MULTI_SHOT_MANUAL with
 * multiShotManualParams.shots [{text, image?}] of 6 s each; outputDataConfig.s3OutputDataConfig.s3Uri;
 * clientRequestToken 1–256 chars of [!-~]) and GetAsyncInvoke (invocationArn
 * arn:aws:bedrock:<region>:<account>:async-invoke/<12 [a-z0-9]>; status InProgress | Completed | Failed,
 * failureMessage). The video is written to <s3Uri>/<invocation id>/output.mp4.
 */
const bedrock = mockClient(BedrockRuntimeClient);
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc123def456';
const downloaded: Array<[string, string]> = [];
let scratch: string;
const job = (): GenerationJob => ({
  tenantId: 't',
  jobId: 'job-1',
  itemId: 'scene-a',
  scratchDir: scratch,
  at: 'project.scenes[0]',
});
const ask = (over: Partial<GenerationAsk> = {}): GenerationAsk => ({
  kind: 'video',
  prompt: 'a fox runs through snow',
  durationSeconds: 6,
  width: 1280,
  height: 720,
  seed: 42,
  ...over,
});
const reel = (extra = {}) =>
  novaReel({
    client: new BedrockRuntimeClient({ region: 'us-east-1' }),
    modelId: 'amazon.nova-reel-v1:1',
    bucket: 'cutline-outputs',
    download: async (key, path) => void downloaded.push([key, path]),
    pollSeconds: 30,
    ...extra,
  });

/** Width and height of a PNG from its IHDR chunk. */
const pngSize = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  expect(b.subarray(1, 4).toString()).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
};

beforeAll(async () => {
  await imageFixture('red');
  scratch = await mkdtemp(join(tmpdir(), 'cutline-reel-'));
});
beforeEach(() => {
  bedrock.reset();
  downloaded.length = 0;
});

describe('Nova Reel (contract)', () => {
  it('text-to-video: one 6-second shot, written under the job in the outputs bucket, then polled', async () => {
    bedrock.on(StartAsyncInvokeCommand).resolves({ invocationArn: ARN });
    const step = await reel().start(ask(), job(), 0);
    const req = bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input;
    expect(req.modelId).toBe('amazon.nova-reel-v1:1');
    expect(req.modelInput).toEqual({
      taskType: 'TEXT_VIDEO',
      textToVideoParams: { text: 'a fox runs through snow' },
      videoGenerationConfig: { durationSeconds: 6, fps: 24, dimension: '1280x720', seed: 42 },
    });
    expect(req.outputDataConfig).toEqual({
      s3OutputDataConfig: { s3Uri: 's3://cutline-outputs/work/job-1/generation/scene-a' },
    });
    expect(req.clientRequestToken).toMatch(/^[!-~]{1,256}$/);
    expect(step).toEqual({
      wait: {
        seconds: 30,
        state: {
          arn: ARN,
          key: 'work/job-1/generation/scene-a/abc123def456/output.mp4',
          seconds: 6,
          polls: 0,
        },
      },
      usage: [],
    });
    // A retry of the same attempt sends the same token (Bedrock answers the same invocation); a restart another.
    await reel().start(ask(), job(), 0);
    await reel().start(ask(), job(), 1);
    const tokens = bedrock
      .commandCalls(StartAsyncInvokeCommand)
      .map((c) => c.args[0].input.clientRequestToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('image-to-video: the first frame is sent as a 1280x720 PNG (cropped to fill, never stretched)', async () => {
    bedrock.on(StartAsyncInvokeCommand).resolves({ invocationArn: ARN });
    await reel().start(ask({ image: join(FIXTURES, 'image-red.png') }), job(), 0);
    const input = bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input.modelInput as {
      textToVideoParams: { images: Array<{ format: string; source: { bytes: string } }> };
    };
    expect(input.textToVideoParams.images).toHaveLength(1);
    expect(input.textToVideoParams.images[0]!.format).toBe('png');
    expect(pngSize(input.textToVideoParams.images[0]!.source.bytes)).toEqual({ width: 1280, height: 720 });
  });

  it('character references with no first frame: Nova Canvas makes the first frame, metered', async () => {
    bedrock.on(StartAsyncInvokeCommand).resolves({ invocationArn: ARN });
    const step = await reel({
      referenceFrame: async () => ({
        path: join(FIXTURES, 'image-red.png'),
        usage: [{ provider: 'nova-canvas', units: 1 }],
      }),
    }).start(ask({ references: [join(FIXTURES, 'image-red.png')] }), job(), 0);
    const input = bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input.modelInput as {
      textToVideoParams: { images?: unknown[] };
    };
    expect(input.textToVideoParams.images).toHaveLength(1);
    expect(step).toMatchObject({ usage: [{ provider: 'nova-canvas', units: 1 }] });
  });

  it('longer than one shot: whole 6-second shots, automated from one prompt or manual from the first frame', () => {
    expect([0.5, 6, 6.01, 11, 13, 200].map(reelSeconds)).toEqual([6, 6, 12, 12, 18, 120]);
    expect(reelModelInput({ prompt: 'p', durationSeconds: 13, seed: 1 })).toEqual({
      taskType: 'MULTI_SHOT_AUTOMATED',
      multiShotAutomatedParams: { text: 'p' },
      videoGenerationConfig: { durationSeconds: 18, fps: 24, dimension: '1280x720', seed: 1 },
    });
    expect(reelModelInput({ prompt: 'p', durationSeconds: 12, seed: 1 }, 'AAAA')).toEqual({
      taskType: 'MULTI_SHOT_MANUAL',
      multiShotManualParams: {
        shots: [{ text: 'p', image: { format: 'png', source: { bytes: 'AAAA' } } }, { text: 'p' }],
      },
      videoGenerationConfig: { fps: 24, dimension: '1280x720', seed: 1 },
    });
  });

  it('a prompt longer than a shot takes is refused with its path before anything is paid for', async () => {
    const err = await reel()
      .start(ask({ prompt: 'x'.repeat(REEL_SHOT_PROMPT + 1) }), job(), 0)
      .catch((e: unknown) => e as { code: string; details: Array<{ path: string }> });
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'project.scenes[0].prompt' }] });
    expect(bedrock.commandCalls(StartAsyncInvokeCommand)).toHaveLength(0);
  });

  it('polls GetAsyncInvoke: InProgress waits again, Completed downloads output.mp4 and meters the seconds, Failed says why (retried), a content filter is the input to change (not retried)', async () => {
    const state = {
      arn: ARN,
      key: reelOutputKey('work/job-1/generation/scene-a', ARN),
      seconds: 6,
      polls: 0,
    };
    bedrock
      .on(GetAsyncInvokeCommand)
      .resolvesOnce({ status: 'InProgress' } as never)
      .resolvesOnce({ status: 'Completed' } as never)
      .resolvesOnce({ status: 'Failed', failureMessage: 'Internal server error' } as never)
      .resolvesOnce({
        status: 'Failed',
        failureMessage: 'The output was blocked by our content filters.',
      } as never);
    expect(await reel().poll(state, job())).toEqual({ wait: { seconds: 30, state: { ...state, polls: 1 } } });
    expect(bedrock.commandCalls(GetAsyncInvokeCommand)[0]!.args[0].input).toEqual({ invocationArn: ARN });
    const done = await reel().poll(state, job());
    expect(downloaded).toEqual([
      ['work/job-1/generation/scene-a/abc123def456/output.mp4', join(scratch, 'scene-a.mp4')],
    ]);
    expect(done).toEqual({
      file: join(scratch, 'scene-a.mp4'),
      usage: [{ provider: 'nova-reel', units: 6 }],
    });
    expect(await reel().poll(state, job())).toEqual({ failed: 'Nova Reel: Internal server error' });
    // A content filter would answer the same again: a VALIDATION_FAILED at the prompt, not a retry.
    const filtered = (await reel()
      .poll(state, job())
      .catch((e: unknown) => e)) as { code: string; details: Array<{ path: string }> };
    expect(filtered).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'project.scenes[0].prompt' }],
    });
  });

  it('a model not enabled in the account is NOT_SUPPORTED naming what to enable; throttling is retryable', async () => {
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejectsOnce(Object.assign(new Error('no access'), { name: 'AccessDeniedException' }))
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const denied = (await reel()
      .start(ask(), job(), 0)
      .catch((e: unknown) => e)) as { code: string; message: string };
    expect(denied.code).toBe('NOT_SUPPORTED');
    expect(denied.message).toMatch(/Model access/);
    const busy = (await reel()
      .start(ask(), job(), 0)
      .catch((e: unknown) => e)) as { retryable: boolean };
    expect(busy.retryable).toBe(true);
  });
});
