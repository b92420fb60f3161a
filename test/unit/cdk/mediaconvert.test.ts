import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CutlineStack } from '../../../lib/cutline-stack.js';
import { applyNagSuppressions } from '../../../lib/nag.js';

// A stack with MediaConvert packaging on (default packager), checked against what Step Functions' MediaConvert
// integration documents for createJob.sync: create/get/cancel jobs, pass the service role, the managed rule.
let template: Template;
let nagError: unknown;

// No function bundling: this test reads IAM and environment, not code.
const appWithoutBundling = () =>
  new App({ context: { 'aws:cdk:bundling-stacks': [], allowMissingFfmpegLayer: true } });

beforeAll(() => {
  const app = appWithoutBundling();
  const stack = new CutlineStack(app, 'McTest', { platform: { mediaConvert: { default: true } } });
  applyNagSuppressions(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (err) {
    nagError = err;
  }
  template = Template.fromStack(stack);
}, 180_000);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (t: Template, roleMatch: (logicalId: string) => boolean): Statement[] =>
  Object.entries(t.findResources('AWS::IAM::Policy')).flatMap(([, r]) => {
    const props = (
      r as { Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } }
    ).Properties;
    return props.Roles.some((x) => roleMatch(x.Ref)) ? props.PolicyDocument.Statement : [];
  });
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('MediaConvert packaging in the stack', () => {
  it('passes cdk-nag with the acknowledgements justified', () => {
    expect(nagError).toBeUndefined();
  });

  it('has a service role only MediaConvert can assume, reading and writing outputs/ of the outputs bucket', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'mediaconvert.amazonaws.com' },
              Action: 'sts:AssumeRole',
            }),
          ]),
        },
      },
    });
    const ids = Object.keys(roles);
    expect(ids).toHaveLength(1);
    const s = statementsOf(template, (id) => id === ids[0]);
    const all = s.flatMap(actions);
    expect(all).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:PutObject']));
    expect(all.some((a) => a.startsWith('dynamodb:') || a.startsWith('states:'))).toBe(false);
    expect(JSON.stringify(s.map((x) => x.Resource))).toContain('/outputs/*');
  });

  it('lets the state machine run createJob.sync with exactly that role', () => {
    const smRole = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } }),
            ]),
          },
        },
      }),
    );
    const s = statementsOf(template, (id) => smRole.includes(id));
    const mc = s.find((x) => actions(x).includes('mediaconvert:CreateJob'))!;
    expect(actions(mc)).toEqual(expect.arrayContaining(['mediaconvert:GetJob', 'mediaconvert:CancelJob']));
    const pass = s.filter((x) => actions(x).includes('iam:PassRole'));
    const toMc = pass.find((x) => JSON.stringify(x.Condition ?? {}).includes('mediaconvert.amazonaws.com'))!;
    expect(toMc.Resource).not.toBe('*');
    expect(JSON.stringify(toMc.Resource)).toContain('MediaConvertServiceRole');
    const rule = s.find(
      (x) => actions(x).includes('events:PutRule') && JSON.stringify(x.Resource).includes('MediaConvert'),
    )!;
    expect(JSON.stringify(rule.Resource)).toContain('rule/StepFunctionsGetEventsForMediaConvertJobRule');
    expect(actions(rule).sort()).toEqual(['events:DescribeRule', 'events:PutRule', 'events:PutTargets']);
  });

  it('tells the API and the package task the role, the queue and the default packager', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }>;
    const withRole = fns.filter((f) => f.Properties.Environment?.Variables?.CUTLINE_MEDIACONVERT_ROLE_ARN);
    expect(withRole.length).toBeGreaterThan(5);
    for (const f of withRole) {
      expect(f.Properties.Environment!.Variables!.CUTLINE_HLS_PACKAGER).toBe('mediaconvert');
      expect(JSON.stringify(f.Properties.Environment!.Variables!.CUTLINE_MEDIACONVERT_QUEUE_ARN)).toContain(
        ':queues/Default',
      );
    }
  });
});

describe('without MediaConvert', () => {
  it('creates no MediaConvert role and passes none', () => {
    const stack = new CutlineStack(appWithoutBundling(), 'NoMc');
    const t = Template.fromStack(stack);
    expect(JSON.stringify(t.toJSON())).not.toContain('mediaconvert.amazonaws.com');
    expect(JSON.stringify(t.toJSON())).not.toContain('CUTLINE_MEDIACONVERT_ROLE_ARN');
  }, 180_000);
});
