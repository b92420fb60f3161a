import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { applyNagSuppressions } from '../../../lib/nag.js';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CutlineStack } from '../../../lib/cutline-stack.js';
import { ENV, HANDLERS } from '../../../lambdas/core/config.js';
import { HANDLER_METADATA } from '../../../lib/functions.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synth(ai?: ConstructorParameters<typeof CutlineStack>[2] extends infer P ? P : never) {
  const app = new App({ context: { allowMissingFfmpegLayer: true, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CutlineStack(app, 'Ai', { env: { account: '123456789012', region: 'us-east-1' }, ...ai });
  return Template.fromStack(stack).toJSON() as Json;
}

/** Every (function entry, action, resource) of the AI services the template grants. */
function aiGrants(t: Json): string[] {
  const roleOf = new Map<string, string>();
  for (const r of Object.values(t.Resources) as Json[])
    if (r.Type === 'AWS::Lambda::Function')
      roleOf.set(r.Properties.Role['Fn::GetAtt'][0], r.Metadata?.[HANDLER_METADATA]);
  const out: string[] = [];
  for (const r of Object.values(t.Resources) as Json[]) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const fn = r.Properties.Roles.map((x: Json) => roleOf.get(x.Ref)).join(',');
    for (const s of r.Properties.PolicyDocument.Statement as Json[]) {
      const actions = ([] as string[])
        .concat(s.Action)
        .filter((a) => /^(transcribe|polly|bedrock|rekognition):/.test(a));
      const res = JSON.stringify(s.Resource);
      for (const a of actions) out.push(`${fn} ${a} ${res}`);
    }
  }
  return out.sort();
}

const envOf = (t: Json, entry: string) =>
  (Object.values(t.Resources) as Json[]).find((r) => r.Metadata?.[HANDLER_METADATA] === entry)!.Properties
    .Environment.Variables as Record<string, string>;

describe('AI provider props of the construct', () => {
  it('off by default: no AI grants, and the runtime is told there is no transcriber or voice', () => {
    const t = synth();
    expect(aiGrants(t)).toEqual([]);
    expect(envOf(t, HANDLERS.api.renders)).toMatchObject({
      [ENV.TRANSCRIBER]: 'none',
      [ENV.VOICE]: 'none',
      [ENV.RANKER]: 'heuristic',
      [ENV.FACE_DETECTOR]: 'none',
      [ENV.PLANNER]: 'none',
    });
  });

  it('enabled: exactly the actions the providers call, on the narrowest resources, by the functions that call them', () => {
    const t = synth({
      platform: {
        ai: {
          transcription: { languageCode: 'en-GB' },
          voice: { engine: 'neural', defaultVoice: 'Amy' },
          ranking: { modelId: 'amazon.nova-lite-v1:0' },
          faces: true,
          planning: { modelId: 'amazon.nova-pro-v1:0' },
        },
      },
    });
    const grants = aiGrants(t);
    expect(grants).toEqual(
      [
        `${HANDLERS.pipeline.prepareItem} transcribe:StartTranscriptionJob ${JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':transcribe:us-east-1:123456789012:transcription-job/cutline-*']] })}`,
        `${HANDLERS.pipeline.prepareItem} transcribe:GetTranscriptionJob ${JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':transcribe:us-east-1:123456789012:transcription-job/cutline-*']] })}`,
        `${HANDLERS.pipeline.prepareItem} polly:SynthesizeSpeech "*"`,
        `${HANDLERS.pipeline.prepareItem} rekognition:StartFaceDetection "*"`,
        `${HANDLERS.pipeline.prepareItem} rekognition:GetFaceDetection "*"`,
        `${HANDLERS.api.projects} bedrock:InvokeModel ${JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0']] })}`,
        `${HANDLERS.pipeline.probe} bedrock:InvokeModel ${JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0']] })}`,
      ].sort(),
    );
    expect(envOf(t, HANDLERS.pipeline.prepareItem)).toMatchObject({
      [ENV.TRANSCRIBER]: 'transcribe',
      [ENV.TRANSCRIBE_LANGUAGE]: 'en-GB',
      [ENV.VOICE]: 'polly',
      [ENV.POLLY_ENGINE]: 'neural',
      [ENV.POLLY_VOICE]: 'Amy',
      [ENV.RANKER]: 'bedrock',
      [ENV.BEDROCK_MODEL_ID]: 'amazon.nova-lite-v1:0',
      [ENV.FACE_DETECTOR]: 'rekognition',
    });
    expect(envOf(t, HANDLERS.api.projects)).toMatchObject({
      [ENV.PLANNER]: 'bedrock',
      [ENV.PLANNER_MODEL_ID]: 'amazon.nova-pro-v1:0',
    });
  });

  it("generation: InvokeModel on exactly the two models and GetAsyncInvoke on the account's invocations, for the prepare items", () => {
    const t = synth({
      platform: {
        ai: { generation: { videoModelId: 'amazon.nova-reel-v1:1', maxUsdPerJob: 3, retries: 1 } },
      },
    });
    const arn = (tail: string) =>
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:bedrock:us-east-1:${tail}`]] });
    expect(aiGrants(t)).toEqual(
      [
        `${HANDLERS.pipeline.prepareItem} bedrock:InvokeModel ${JSON.stringify([
          JSON.parse(arn(':foundation-model/amazon.nova-reel-v1:1')),
          JSON.parse(arn(':foundation-model/amazon.nova-canvas-v1:0')),
        ])}`,
        `${HANDLERS.pipeline.prepareItem} bedrock:GetAsyncInvoke ${arn('123456789012:async-invoke/*')}`,
      ].sort(),
    );
    // Every function knows (submit refuses what is off; the prepare items run it).
    for (const entry of [HANDLERS.api.renders, HANDLERS.pipeline.prepareItem])
      expect(envOf(t, entry)).toMatchObject({
        [ENV.GENERATOR]: 'bedrock',
        [ENV.VIDEO_MODEL_ID]: 'amazon.nova-reel-v1:1',
        [ENV.GENERATION_MAX_USD]: '3',
        [ENV.GENERATION_RETRIES]: '1',
      });
    expect(envOf(synth(), HANDLERS.api.renders)).toMatchObject({ [ENV.GENERATOR]: 'none' });
  });

  it('generation passes cdk-nag AwsSolutions (its one wildcard, the async invocations, acknowledged)', () => {
    const app = new App({ context: { allowMissingFfmpegLayer: true, 'aws:cdk:bundling-stacks': [] } });
    const stack = new CutlineStack(app, 'Nag', { platform: { ai: { generation: true } } });
    applyNagSuppressions(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
