import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { beatCuts, beatCutsAt } from '../../../lambdas/core/music/beats.js';
import { planScenes, proposedCuts } from '../../../lambdas/core/projects/plan.js';
import {
  bedrockPlanner,
  PLAN_SCHEMA,
  PLAN_TOOL,
  repairPlan,
} from '../../../lambdas/core/providers/planning/index.js';

/**
 * Contract of the Converse request with tool use, checked against the Bedrock API reference and user
 * guide ("Call a tool with the Converse API"): toolConfig.tools[].toolSpec { name, description,
 * inputSchema: { json: <JSON schema> } }, toolChoice { tool: { name } } forcing that tool; the answer is
 * a content block { toolUse: { toolUseId, name, input } } with stopReason "tool_use", and usage tokens.
 */
const bedrock = mockClient(BedrockRuntimeClient);
beforeEach(() => bedrock.reset());
const brief = { mode: 'music-video', prompt: 'a storm at sea', scenes: 2, seconds: 10, tempo: 120 };
const scenes = [
  { prompt: 'Waves', seconds: 4, shot: 'wide' },
  { prompt: 'Lightning', seconds: 6, shot: 'close' },
];

describe('scene planning through Amazon Bedrock Converse', () => {
  it('forces the plan tool with the JSON schema and reads its input', async () => {
    bedrock.on(ConverseCommand).resolves({
      output: {
        message: {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't1', name: PLAN_TOOL, input: { scenes } as never } }],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 200, outputTokens: 80, totalTokens: 280 },
      metrics: { latencyMs: 1 },
    });
    const out = await bedrockPlanner(
      new BedrockRuntimeClient({ region: 'us-east-1' }),
      'amazon.nova-pro-v1:0',
    ).plan(brief);
    const req = bedrock.commandCalls(ConverseCommand)[0]!.args[0].input;
    expect(req.modelId).toBe('amazon.nova-pro-v1:0');
    expect(req.system).toEqual([{ text: expect.stringContaining('plan_scenes') }]);
    expect(req.messages).toEqual([{ role: 'user', content: [{ text: expect.any(String) }] }]);
    expect(JSON.parse(req.messages![0]!.content![0]!.text!)).toEqual({
      mode: 'music-video',
      idea: 'a storm at sea',
      scenes: 2,
      totalSeconds: 10,
      tempoBpm: 120,
    });
    expect(req.toolConfig).toEqual({
      tools: [
        {
          toolSpec: { name: PLAN_TOOL, description: expect.any(String), inputSchema: { json: PLAN_SCHEMA } },
        },
      ],
      toolChoice: { tool: { name: PLAN_TOOL } },
    });
    // A JSON schema Bedrock takes: an object with the scenes' fields required, no $schema URI.
    expect(PLAN_SCHEMA).toMatchObject({ type: 'object', required: ['scenes'] });
    expect(PLAN_SCHEMA).not.toHaveProperty('$schema');
    expect(req.inferenceConfig!.maxTokens).toBeGreaterThan(0);
    expect(out).toEqual({ scenes, tokens: 280 });
  });

  it('refusals a person can act on: content filter at the prompt, model access, throttling retryable', async () => {
    const p = bedrockPlanner(new BedrockRuntimeClient({ region: 'us-east-1' }), 'm');
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [] } },
      stopReason: 'guardrail_intervened',
      usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 },
      metrics: { latencyMs: 1 },
    });
    await expect(p.plan(brief)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'prompt' }],
    });
    bedrock
      .on(ConverseCommand)
      .rejects(Object.assign(new Error('no access'), { name: 'AccessDeniedException' }));
    await expect(p.plan(brief)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(/Model access/),
    });
    bedrock.on(ConverseCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException' }));
    await expect(p.plan(brief)).rejects.toMatchObject({ retryable: true });
  });
});

describe('the plan answer, repaired or refused', () => {
  it('repairs what is unambiguous: prose and fences, numbers as strings, long text, extra scenes', () => {
    const text = `Sure!\n\`\`\`json\n${JSON.stringify({
      scenes: [
        { prompt: `  ${'x'.repeat(1200)}`, seconds: '3.5', shot: 'wide' },
        { prompt: 'b', seconds: 2 },
        { prompt: 'c', seconds: 1, shot: '' },
      ],
    })}\n\`\`\``;
    const out = repairPlan(text, 2, 'm');
    expect(out).toHaveLength(2);
    expect(out[0]!.prompt).toHaveLength(1000);
    expect(out[0]!.seconds).toBe(3.5);
    expect(out[1]).toEqual({ prompt: 'b', seconds: 2, shot: '' });
  });

  it('refuses junk as retryable, naming what was wrong', () => {
    const bad = (a: unknown, why: RegExp) =>
      expect(() => repairPlan(a, 2, 'm')).toThrow(
        expect.objectContaining({
          code: 'PROVIDER_UNAVAILABLE',
          retryable: true,
          message: expect.stringMatching(why),
        }),
      );
    bad('no json at all', /no JSON/);
    bad({ scenes: [{ prompt: 'a', seconds: 1, shot: '' }] }, /1 scenes of the 2/);
    bad(
      {
        scenes: [
          { prompt: ' ', seconds: 1, shot: '' },
          { prompt: 'b', seconds: 1, shot: '' },
        ],
      },
      /scenes.0.prompt is empty/,
    );
    bad(
      {
        scenes: [
          { prompt: 'a', seconds: -1, shot: '' },
          { prompt: 'b', seconds: 1, shot: '' },
        ],
      },
      /scenes.0.seconds/,
    );
    bad(
      {
        scenes: [
          { prompt: 'a', seconds: 'soon', shot: '' },
          { prompt: 'b', seconds: 1, shot: '' },
        ],
      },
      /seconds/,
    );
    bad({ clips: [] }, /scenes/);
  });
});

describe('the LLM proposes, the beat grid decides', () => {
  const beats = Array.from({ length: 40 }, (_, i) => i * 0.5);
  it('even cuts are beatCuts as before; proposed lengths move the cuts to the nearest beats', () => {
    expect(beatCutsAt(beats, 16.2, proposedCuts([1, 1, 1, 1], 16.2))).toEqual(beatCuts(beats, 16.2, 4));
    expect(proposedCuts([2, 6, 3, 5], 32)).toEqual([4, 16, 22]);
    const cuts = beatCutsAt(beats, 16.2, proposedCuts([2.1, 5.8, 3.1, 5.2], 16.2));
    expect(cuts.map((c) => c.start)).toEqual([0, 2, 8, 11]);
    expect(cuts.reduce((t, c) => t + c.length, 0)).toBeCloseTo(16.2, 6);
  });

  it('planScenes: prompts from the proposal, lengths summing to the track; without a planner, NOT_SUPPORTED', async () => {
    const deps = {
      track: async () => ({ path: '/t.wav', probe: { durationSeconds: 16.2 } as never }),
      beats: async () => ({ tempo: 120, beats }),
    };
    const project = { mode: 'music-video', audio: { src: 's3://b/t.wav' } } as never;
    await expect(planScenes(project, { scenes: 2 }, deps)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    const out = await planScenes(
      project,
      { scenes: 2 },
      {
        ...deps,
        propose: async (b) => {
          expect(b).toMatchObject({ scenes: 2, seconds: 16.2, tempo: 120 });
          return {
            scenes: [
              { prompt: 'a', seconds: 5, shot: 'wide' },
              { prompt: 'b', seconds: 15, shot: '' },
            ],
            provider: 'openai',
            model: 'x',
          };
        },
      },
    );
    expect(out.planner).toEqual({ provider: 'openai', model: 'x' });
    expect(out.scenes).toEqual([
      { start: 0, length: 4, prompt: 'a', shot: 'wide', proposedLength: 5 },
      { start: 4, length: 12.2, prompt: 'b', proposedLength: 15 },
    ]);
  });
});
