import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CutlineStack } from '../../../lib/cutline-stack.js';
import { FIXED_TASK_SECONDS } from '../../../lambdas/core/plan/timeouts.js';
import { SFN_QUOTAS } from '../../../lambdas/core/plan/sfn-quotas.js';

type State = Record<string, unknown> & {
  Type: string;
  States?: Record<string, State>;
  ItemProcessor?: { ProcessorConfig?: Record<string, string>; States: Record<string, State> };
  Branches?: Array<{ States: Record<string, State> }>;
};
const ASL = JSON.parse(
  readFileSync(new URL('../../../statemachines/render.asl.json', import.meta.url), 'utf8'),
) as { States: Record<string, State> };

/** Every state of the definition, nested ones included, by name. */
function allStates(states: Record<string, State>, out = new Map<string, State>()) {
  for (const [name, s] of Object.entries(states)) {
    out.set(name, s);
    if (s.ItemProcessor) allStates(s.ItemProcessor.States, out);
    for (const b of s.Branches ?? []) allStates(b.States, out);
  }
  return out;
}
const states = allStates(ASL.States);

let template: Template;
type Policy = { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } };

beforeAll(() => {
  const app = new App({ context: { allowMissingFfmpegLayer: true } });
  const stack = new CutlineStack(app, 'Limits', { platform: { mapConcurrency: 200, costScale: 1.3 } });
  template = Template.fromStack(stack);
}, 180_000);

describe('the state machine states its limits', () => {
  it('every Task has an explicit timeout; render tasks take theirs from the plan', () => {
    const tasks = [...states].filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(14);
    for (const [name, s] of tasks)
      expect(s.TimeoutSeconds ?? s.TimeoutSecondsPath, `${name} has no timeout`).toBeDefined();
    expect(states.get('RenderChunk')!.TimeoutSecondsPath).toBe('$.chunk.timeoutSeconds');
    expect(states.get('RenderSingle')!.TimeoutSecondsPath).toBe('$.rendition.timeouts.single');
    expect(states.get('RenderAudio')!.TimeoutSecondsPath).toBe('$.part.timeoutSeconds');
    expect(states.get('Stitch')!.TimeoutSecondsPath).toBe('$.rendition.timeouts.stitch');
    expect(states.get('RenderOnFargate')!.TimeoutSecondsPath).toBe('$.rendition.timeouts.fargate');
  });

  it("fixed Task timeouts are the table's and the Lambda functions' own timeouts", () => {
    const fixed: Record<string, number> = {
      Validate: FIXED_TASK_SECONDS.validate,
      PrepareItem: FIXED_TASK_SECONDS.prepareItem,
      Probe: FIXED_TASK_SECONDS.probe,
      Plan: FIXED_TASK_SECONDS.plan,
      Finalize: FIXED_TASK_SECONDS.finalize,
      MarkFailed: FIXED_TASK_SECONDS.markFailed,
      PublishSucceeded: FIXED_TASK_SECONDS.publishEvents,
      PublishFailed: FIXED_TASK_SECONDS.publishEvents,
    };
    for (const [name, seconds] of Object.entries(fixed))
      expect(states.get(name)!.TimeoutSeconds).toBe(seconds);
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: {
        Handler?: string;
        Timeout?: number;
        Environment?: { Variables?: Record<string, unknown> };
      };
    }>;
    const timeouts = fns.map((f) => f.Properties.Timeout ?? 3);
    // No pipeline function may run past Lambda's ceiling, and render functions get all of it.
    expect(Math.max(...timeouts)).toBe(SFN_QUOTAS.lambdaSeconds);
    for (const seconds of [FIXED_TASK_SECONDS.validate, FIXED_TASK_SECONDS.finalize])
      expect(timeouts).toContain(seconds);
  });

  it('fans out beyond 40 with Distributed Maps: renditions from an S3 manifest, chunks from the state', () => {
    const renditions = ASL.States.RenderRenditions!;
    expect(renditions.ItemProcessor!.ProcessorConfig).toEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
    expect(renditions.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.plan.bucket', 'Key.$': '$.plan.key' },
    });
    expect(renditions.ResultPath).toBeNull();
    const chunks = states.get('RenderChunks')!;
    expect(chunks.ItemProcessor!.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    // The prepare Map stays inline, well within its ceiling.
    const prepare = ASL.States.PrepareItems!;
    expect(prepare.ItemProcessor!.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(prepare.MaxConcurrency as number).toBeLessThanOrEqual(SFN_QUOTAS.inlineMapConcurrency);
    // A child's failure is recorded before the child fails (its parent only sees the threshold error).
    for (const name of ['RecordChunkFailure', 'RecordAudioFailure', 'RecordRenditionFailure'])
      expect(JSON.stringify(states.get(name)!.Parameters)).toContain('MarkFailedFunctionArn');
  });

  it('the role may start, describe and stop child executions of its own machine and read the manifest', () => {
    const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { StateMachineName: string; RoleArn: unknown };
    };
    const name = sm.Properties.StateMachineName;
    expect(name).toMatch(/^LimitsCutlinePipeline/);
    const statements = (
      Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: Policy }>
    )
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .map((s) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));
    const start = statements.find((s) => s.actions.includes('states:StartExecution'));
    expect(start?.resource).toContain(`:stateMachine:${name}`);
    const describe = statements.find((s) => s.actions.includes('states:DescribeExecution'));
    expect(describe?.actions).toContain('states:StopExecution');
    expect(describe?.resource).toContain(`:execution:${name}/*`);
    const read = statements.find(
      (s) => s.actions.includes('s3:GetObject*') && s.resource.includes('/work/*'),
    );
    expect(read).toBeDefined();
  });
});

describe("costScale: the functions' measured speed, a deployment setting", () => {
  it('reaches every function that plans or estimates as CUTLINE_PLAN_LIMITS', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const limits = Object.values(fns)
      .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties)
      .map((p) => p.Environment?.Variables?.CUTLINE_PLAN_LIMITS)
      .filter((v): v is string => typeof v === 'string');
    expect(limits.length).toBeGreaterThan(3);
    for (const l of limits) expect(JSON.parse(l)).toEqual({ maxConcurrency: 200, costScale: 1.3 });
  });

  it('a scale outside 0.1–10 fails the synth with its name', () => {
    for (const costScale of [0, -1, 11, Number.NaN]) {
      const app = new App({ context: { allowMissingFfmpegLayer: true } });
      expect(() => new CutlineStack(app, 'Bad', { platform: { costScale } })).toThrow(/costScale must be/);
    }
  });
});
