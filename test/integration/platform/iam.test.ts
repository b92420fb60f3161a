import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../../lambdas/core/aws/call-recorder.js';
import { ENV, HANDLERS } from '../../../lambdas/core/config.js';
import { LOCAL_BUCKETS, type LocalPlatform } from '../../../local/platform.js';
import { imageFixture, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import {
  bucketPolicies,
  evaluate,
  iamRequests,
  principalFor,
  synthesizedTemplate,
  type Verdict,
} from '../../helpers/iam-simulation.js';
import { movingFaceVideo } from '../../helpers/faces.js';
import { speechVideo } from '../../helpers/speech.js';
import { reply, scriptedModel } from '../../helpers/llm-server.js';
import { resetProviderSettings } from '../../../lambdas/core/providers/settings.js';
import { startGenerationServer, type GenerationServer } from '../../helpers/generation-server.js';
import { resetProviderEnv } from '../../../lambdas/core/projects/providers/index.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * ARCHITECTURE §6: IAM is checked locally. This runs the platform's flows itself (so it depends on no
 * other test file), records every AWS call each function makes, and evaluates each against that
 * function's policies in the synthesized template. An implicit or explicit deny fails, naming the
 * function, the action and the resource: what AWS would answer AccessDenied to after `cdk deploy`.
 */
let platform: LocalPlatform;
let call: Api;
let calls: RecordedCall[] = [];
let template: ReturnType<typeof synthesizedTemplate>;
let recordFile: string;
let model: Awaited<ReturnType<typeof scriptedModel>>;
const DESTINATION = 'cutline-test-destination';
let generation: GenerationServer | undefined;

const title = (text: string, length = 1) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'title', text }, start: 0, length }] }] },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});

async function flows(): Promise<void> {
  const ok = async (path: string, body?: unknown, method = 'POST') => {
    const res = await call(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await ok('/v1/health', undefined, 'GET');
  await ok('/v1/openapi.json', undefined, 'GET');
  await ok('/v1/validate', title('valid'));
  // Submit, status, list; a chunked render (planLimits below: 1 s chunks) of an uploaded video with sound.
  const clip = await readFile(await videoFixture());
  const up = await ok('/v1/uploads', { filename: 'clip.mp4', contentType: 'video/mp4', bytes: clip.length });
  const put = await fetch(up.url, { method: 'PUT', headers: up.headers, body: clip });
  expect(put.status).toBe(200);
  const chunked = await ok('/v1/renders', {
    timeline: {
      soundtrack: { src: fixtureUrl('tone-330-6.wav') },
      tracks: [{ clips: [{ asset: { type: 'video', src: up.src }, start: 0, length: 3 }] }],
    },
    output: { format: 'mp4', size: { width: 320, height: 180 } },
  });
  // A frame preview reads the uploaded source in place (HeadObject to check it, ranged GETs to draw it).
  await ok('/v1/preview', {
    edit: {
      timeline: { tracks: [{ clips: [{ asset: { type: 'video', src: up.src }, start: 0, length: 3 }] }] },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    },
    at: 1,
  });
  const done = (await waitForJob(call, chunked.id)).job;
  expect(done.status).toBe('SUCCEEDED');
  expect(done.plan?.[0]?.chunks).toBeGreaterThan(1);
  await ok('/v1/renders?limit=5', undefined, 'GET');
  // output.destinations: Finalize copies the files into a bucket the deployer allowed (with an ACL).
  const sent = await ok('/v1/renders', {
    ...title('sent'),
    output: {
      format: 'mp4',
      size: { width: 320, height: 180 },
      destinations: [
        {
          provider: 's3',
          options: { region: 'us-east-1', bucket: DESTINATION, prefix: 'x', acl: 'private' },
        },
      ],
    },
  });
  expect((await waitForJob(call, sent.id)).job.status).toBe('SUCCEEDED');
  // hls packaged by MediaConvert (its local adapter): the createJob.sync state and the packaging task.
  const packaged = await ok('/v1/renders', {
    ...title('hls', 2),
    output: {
      format: 'mp4',
      size: { width: 320, height: 180 },
      presets: [{ name: 'hls', packager: 'mediaconvert', ladder: [144], segmentSeconds: 2 }],
    },
  });
  expect((await waitForJob(call, packaged.id)).job.status).toBe('SUCCEEDED');
  // Cancel a running job.
  const long = await ok('/v1/renders', title('cancel me', 6));
  await ok(`/v1/renders/${long.id}/cancel`);
  // A failing job goes through MarkFailed.
  const missing = await ok('/v1/renders', {
    timeline: {
      tracks: [
        { clips: [{ asset: { type: 'video', src: fixtureUrl('missing.mp4') }, start: 0, length: 1 }] },
      ],
    },
    output: { format: 'mp4', size: { width: 320, height: 180 } },
  });
  expect((await waitForJob(call, missing.id)).job.status).toBe('FAILED');
  // Templates: create, list, render.
  const tpl = await ok('/v1/templates', {
    name: 'hi',
    edit: { ...title('Hi {{NAME}}'), merge: [{ find: 'NAME', replace: 'x' }] },
  });
  await ok('/v1/templates', undefined, 'GET');
  const fromTpl = await ok(`/v1/templates/${tpl.id}/render`, { merge: [{ find: 'NAME', replace: 'Ada' }] });
  expect((await waitForJob(call, fromTpl.id)).job.status).toBe('SUCCEEDED');
  // The drop folder: a manifest, and a media file with a preset (a test client puts them, as a user would).
  const before = platform.sfn.executions.size;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: LOCAL_BUCKETS.ingest,
      Key: `drop/${platform.apiKeyId}/manifests/iam.json`,
      Body: JSON.stringify(title('dropped')),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: LOCAL_BUCKETS.ingest,
      Key: `drop/${platform.apiKeyId}/poster/iam.mp4`,
      Body: await readFile(await videoFixture()),
    }),
  );
  // Drop jobs belong to the tenant whose folder they are in: wait for the trigger to start both, then for them to end.
  for (let i = 0; i < 300 && platform.sfn.executions.size < before + 2; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(platform.sfn.executions.size).toBe(before + 2);
  await platform.sfn.drain();
  // A scene project: create, add a scene, compose.
  const project = await ok('/v1/projects', {
    mode: 'custom',
    output: { size: { width: 320, height: 180 } },
    scenes: [
      { source: 'title', text: 'One', length: 1 },
      { source: 'image', src: fixtureUrl('image-red.png'), length: 1 },
      // Generated media: a prepare item (espeak-ng), published under the tenant's inputs/.
      { source: 'voiceover', text: 'Two.' },
      // Generated video through the HTTP provider: the poll loop (PollPrepareItem), published the same way.
      { source: 'generate', prompt: 'a blue sky', length: 1 },
    ],
  });
  await ok(`/v1/projects/${project.id}/scenes`, { source: 'title', text: 'Two', length: 1 });
  await ok(`/v1/projects/${project.id}`, undefined, 'GET');
  const composed = await ok(`/v1/projects/${project.id}/compose`, {});
  expect((await waitForJob(call, composed.jobId)).job.status).toBe('SUCCEEDED');
  // Scene planning with prompts: the LLM (a scripted local model) is a metered provider call on the tenant's month.
  model.queue(
    reply(
      JSON.stringify({ scenes: [1, 2].map((n) => ({ prompt: `Scene ${n}`, seconds: 2, shot: 'wide' })) }),
    ),
  );
  await ok(`/v1/projects/${project.id}/plan`, { length: 4, scenes: 2 });
  // captions.transcribe: a prepare item transcribes (pocketsphinx here), stores the transcript under the
  // tenant's inputs/ and the job's transcript.json among its outputs; finalize lists it.
  const transcribed = await ok('/v1/clips', {
    src: fixtureUrl('librivox-speech-black.mp4'),
    clips: [{ start: 0, end: 3 }],
    captions: { transcribe: true },
    aspectRatios: ['16:9'],
    output: { resolution: 'preview' },
  });
  expect((await waitForJob(call, transcribed.id)).job.status).toBe('SUCCEEDED');
  // reframe "face": a prepare item detects the faces (face-api here) and keeps the track under work/.
  const faced = await ok('/v1/clips', {
    src: fixtureUrl('moving-face.mp4'),
    clips: [{ start: 0, end: 2 }],
    reframe: { mode: 'face' },
    output: { resolution: 'preview' },
  });
  expect((await waitForJob(call, faced.id)).job.status).toBe('SUCCEEDED');
  await ok('/v1/usage', undefined, 'GET');
  await platform.sfn.drain();
  await platform.bus.drain?.();
}

/** The Fargate path (the render task's role): a platform where every render is too long for Lambda. */
async function fargateFlow(): Promise<void> {
  const fargate = await startTestPlatform({ planLimits: { lambdaSeconds: 0.001 } });
  try {
    const res = await api(fargate)('POST', '/v1/renders', title('on fargate'));
    const { job } = await waitForJob(api(fargate), res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.plan?.[0]?.target).toBe('fargate');
  } finally {
    await fargate.close();
  }
}

beforeAll(async () => {
  await Promise.all([
    videoFixture(),
    toneFixture(6, 330),
    imageFixture('red'),
    speechVideo(),
    movingFaceVideo(),
  ]);
  recordFile = join(await mkdtemp(join(tmpdir(), 'cutline-iam-')), 'calls.jsonl');
  process.env[ENV.RECORD_AWS_CALLS] = recordFile;
  template = synthesizedTemplate();
  model = await scriptedModel();
  process.env[ENV.LLM_ENDPOINT] = model.url;
  process.env[ENV.RANKER] = 'heuristic';
  resetProviderSettings();
  generation = await startGenerationServer();
  process.env[ENV.GENERATION_ENDPOINT] = generation.url;
  process.env[ENV.GENERATION_POLL_SECONDS] = '1';
  resetProviderEnv();
  platform = await startTestPlatform({
    planLimits: { minChunkSeconds: 1 },
    destinationBuckets: [DESTINATION],
  });
  try {
    call = api(platform);
    await flows();
  } finally {
    await platform.close();
  }
  await fargateFlow();
  calls = existsSync(recordFile)
    ? (await readFile(recordFile, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RecordedCall)
    : [];
}, 300_000);
afterAll(async () => {
  delete process.env[ENV.RECORD_AWS_CALLS];
  delete process.env[ENV.LLM_ENDPOINT];
  delete process.env[ENV.RANKER];
  resetProviderSettings();
  await model?.close();
  delete process.env[ENV.GENERATION_ENDPOINT];
  delete process.env[ENV.GENERATION_POLL_SECONDS];
  resetProviderEnv();
  await generation?.close();
});

/** Every distinct (function, action, resource) the flows used, evaluated. */
async function verdicts(t = template): Promise<Verdict[]> {
  const buckets = bucketPolicies(t);
  const seen = new Map<string, Promise<Verdict>>();
  for (const c of calls.filter((c) => c.caller !== 'unattributed')) {
    const principal = principalFor(t, c.caller);
    for (const r of iamRequests(c, t)) {
      const k = `${c.caller} ${r.action} ${r.resource} ${JSON.stringify(r.context)}`;
      if (!seen.has(k)) seen.set(k, evaluate(c.caller, principal, r, buckets));
    }
  }
  return Promise.all(seen.values());
}

const denied = (v: Verdict[]) =>
  v
    .filter((x) => x.result !== 'Allowed')
    .map((x) => `${x.caller}: ${x.action} on ${x.resource} → ${x.result}${x.errors ? ` ${x.errors}` : ''}`);

describe('IAM simulation of the calls each function makes', () => {
  it("the stitch's reference join: ranged reads of the parts, UploadPartCopy from work/ to outputs/, allowed to the stitch only", async () => {
    const bucket = LOCAL_BUCKETS.outputs;
    const at = (caller: string): RecordedCall[] =>
      [
        { command: 'HeadObjectCommand', input: { Bucket: bucket, Key: 'work/job-1/r0/chunk-0000.mp4' } },
        {
          command: 'GetObjectCommand',
          input: { Bucket: bucket, Key: 'work/job-1/r0/chunk-0000.mp4', Range: 'bytes=0-65535' },
        },
        {
          command: 'CreateMultipartUploadCommand',
          input: { Bucket: bucket, Key: 'outputs/t/job-1/output.mp4' },
        },
        { command: 'UploadPartCommand', input: { Bucket: bucket, Key: 'outputs/t/job-1/output.mp4' } },
        {
          command: 'UploadPartCopyCommand',
          input: {
            Bucket: bucket,
            Key: 'outputs/t/job-1/output.mp4',
            CopySource: `${bucket}/work/job-1/r0/chunk-0001.mp4`,
            CopySourceRange: 'bytes=48-9999999',
          },
        },
        {
          command: 'CompleteMultipartUploadCommand',
          input: { Bucket: bucket, Key: 'outputs/t/job-1/output.mp4' },
        },
        {
          command: 'AbortMultipartUploadCommand',
          input: { Bucket: bucket, Key: 'outputs/t/job-1/output.mp4' },
        },
      ].map((c) => ({ caller, service: 's3' as const, ...c }));
    const judge = async (list: RecordedCall[]) => {
      const buckets = bucketPolicies(template);
      const out: Verdict[] = [];
      for (const c of list)
        for (const r of iamRequests(c, template))
          out.push(await evaluate(c.caller, principalFor(template, c.caller), r, buckets));
      return out;
    };
    const stitch = await judge(at(HANDLERS.pipeline.stitch));
    // UploadPartCopy needs both: read on the source part, write on the output.
    expect(stitch.filter((v) => v.resource.endsWith('chunk-0001.mp4')).map((v) => v.action)).toEqual([
      's3:GetObject',
    ]);
    expect(stitch.map((v) => v.action)).toContain('s3:AbortMultipartUpload');
    expect(denied(stitch)).toEqual([]);
    // The audio renderer writes only under work/: copying into outputs/ is denied to it.
    const audio = denied(await judge(at(HANDLERS.pipeline.renderAudio)));
    expect(audio.some((d) => d.includes('s3:PutObject on') && d.includes('outputs/t/job-1/output.mp4'))).toBe(
      true,
    );
  });

  it('with ai.generation: the Bedrock calls the generator makes are allowed to the prepare items, and to no other function', async () => {
    const t = synthesizedTemplate({ ai: { generation: true } });
    const at = (caller: string): RecordedCall[] => [
      {
        caller,
        service: 'bedrock',
        command: 'StartAsyncInvokeCommand',
        input: {
          modelId: 'amazon.nova-reel-v1:1',
          outputDataConfig: {
            s3OutputDataConfig: { s3Uri: `s3://${LOCAL_BUCKETS.outputs}/work/job-1/generation/scene-a` },
          },
        },
      },
      {
        caller,
        service: 'bedrock',
        command: 'GetAsyncInvokeCommand',
        input: { invocationArn: `arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc123def456` },
      },
      {
        caller,
        service: 'bedrock',
        command: 'InvokeModelCommand',
        input: { modelId: 'amazon.nova-canvas-v1:0' },
      },
    ];
    const judge = async (list: RecordedCall[], template: typeof t) => {
      const buckets = bucketPolicies(template);
      const out: Verdict[] = [];
      for (const c of list)
        for (const r of iamRequests(c, template))
          out.push(await evaluate(c.caller, principalFor(template, c.caller), r, buckets));
      return out;
    };
    const prepare = await judge(at(HANDLERS.pipeline.prepareItem), t);
    expect(prepare.map((v) => v.action)).toEqual([
      'bedrock:InvokeModel',
      's3:PutObject',
      'bedrock:GetAsyncInvoke',
      'bedrock:InvokeModel',
    ]);
    expect(denied(prepare)).toEqual([]);
    // Another model, another function, or the stack without ai.generation: denied.
    const other = await judge(
      [
        {
          caller: HANDLERS.pipeline.prepareItem,
          service: 'bedrock',
          command: 'InvokeModelCommand',
          input: { modelId: 'amazon.titan-image-generator-v2:0' },
        },
      ],
      t,
    );
    expect(denied(other)).toHaveLength(1);
    expect(
      denied(await judge(at(HANDLERS.pipeline.probe), t)).filter((d) => d.includes('bedrock:')),
    ).toHaveLength(3);
    expect(
      denied(await judge(at(HANDLERS.pipeline.prepareItem), template)).filter((d) => d.includes('bedrock:')),
    ).toHaveLength(3);
  }, 60_000);

  it('recorded the calls of every function the flows ran, attributed to that function', () => {
    const callers = new Set(calls.map((c) => c.caller));
    for (const entry of [
      HANDLERS.api.health,
      HANDLERS.api.renders,
      HANDLERS.api.uploads,
      HANDLERS.api.templates,
      HANDLERS.api.projects,
      HANDLERS.api.usage,
      HANDLERS.api.preview,
      ...Object.values(HANDLERS.pipeline),
      HANDLERS.triggers.dropFolder,
      HANDLERS.triggers.executionEnded,
      'containers/render/main.ts',
      'statemachine',
    ])
      expect(callers, entry).toContain(entry);
    const commands = new Set(calls.map((c) => c.command));
    for (const c of [
      'StopExecutionCommand',
      'StartExecutionCommand',
      'CopyObjectCommand',
      'ListObjectsV2Command',
    ])
      expect(commands, c).toContain(c);
  });

  it('AWS would allow every one of them under the synthesized template', async () => {
    const all = await verdicts();
    expect(all.length).toBeGreaterThan(40);
    // The roles the state machine passes: the render task's two (ECS) and MediaConvert's service role.
    expect(all.filter((v) => v.action === 'iam:PassRole').map((v) => v.resource.split('/')[1])).toEqual(
      expect.arrayContaining([expect.stringMatching(/RenderTask/), expect.stringMatching(/MediaConvert/)]),
    );
    expect(all.filter((v) => v.action === 'iam:PassRole').length).toBeGreaterThanOrEqual(3);
    expect(denied(all)).toEqual([]);
  }, 120_000);

  it('catches the old StopExecution grant (on the state machine ARN): a deny naming function, action and resource', async () => {
    const old = structuredClone(template);
    for (const r of Object.values(old.Resources) as Array<{
      Type: string;
      Properties: { PolicyDocument?: { Statement: Array<{ Action: unknown; Resource: unknown }> } };
    }>)
      for (const s of r.Type === 'AWS::IAM::Policy' ? r.Properties.PolicyDocument!.Statement : [])
        if (s.Action === 'states:StopExecution')
          s.Resource = {
            Ref: Object.keys(old.Resources).find(
              (id) => old.Resources[id].Type === 'AWS::StepFunctions::StateMachine',
            ),
          };
    const result = denied(await verdicts(old));
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(
      /^lambdas\/api\/renders\.ts: states:StopExecution on arn:aws:states:us-east-1:123456789012:execution:cutline-render:[\w-]+ → ImplicitlyDenied$/,
    );
  }, 120_000);
});
