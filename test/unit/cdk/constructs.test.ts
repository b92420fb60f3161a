import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../../lambdas/core/config.js';
import { Api } from '../../../lib/api.js';
import { CutlineStack } from '../../../lib/cutline-stack.js';
import { CutlineFunction, HANDLER_METADATA } from '../../../lib/functions.js';
import { Triggers } from '../../../lib/triggers.js';

/** Constructs own their parts: the functions and grants of each live in the construct they belong to. */
let stack: CutlineStack;
let template: Template;
beforeAll(() => {
  // No bundling: only the construct tree and the policies are checked here.
  const app = new App({ context: { allowMissingFfmpegLayer: true, 'aws:cdk:bundling-stacks': [] } });
  stack = new CutlineStack(app, 'Owned');
  template = Template.fromStack(stack);
}, 120_000);

const functionsUnder = (scope: { node: { findAll(): unknown[] } }) =>
  scope.node.findAll().filter((c): c is CutlineFunction => c instanceof CutlineFunction);
const entryOf = (fn: CutlineFunction) =>
  (fn.node.defaultChild as unknown as { cfnOptions: { metadata?: Record<string, string> } }).cfnOptions
    .metadata?.[HANDLER_METADATA];

describe('constructs that own their parts', () => {
  it('the Api construct builds every API function (and the platform construct builds none itself)', () => {
    const api = stack.platform.api;
    expect(api).toBeInstanceOf(Api);
    expect(Object.keys(api.functions).sort()).toEqual(Object.keys(HANDLERS.api).sort());
    expect(functionsUnder(api).map(entryOf).sort()).toEqual(Object.values(HANDLERS.api).sort());
    const direct = stack.platform.node.children.filter((c) => c instanceof CutlineFunction);
    expect(direct).toEqual([]);
  });

  it('the Triggers construct builds the drop-folder and webhook-delivery functions', () => {
    const triggers = stack.platform.triggers;
    expect(triggers).toBeInstanceOf(Triggers);
    expect(functionsUnder(triggers).map(entryOf).sort()).toEqual(
      [HANDLERS.triggers.dropFolder, HANDLERS.triggers.webhook].sort(),
    );
  });

  /** The actions a function's role is granted, from the synthesized policies. */
  function actionsOf(entry: string): string[] {
    const resources = template.toJSON().Resources as Record<
      string,
      {
        Type: string;
        Metadata?: Record<string, string>;
        Properties: {
          Role: { 'Fn::GetAtt': [string, string] };
          Roles: unknown;
          PolicyDocument: { Statement: Array<{ Action: string | string[] }> };
        };
      }
    >;
    const [, fn] = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[HANDLER_METADATA] === entry,
    )!;
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const actions = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(role))
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .flatMap((st) => [st.Action].flat());
    return [...new Set(actions)].sort();
  }

  it('the Validate task gets only what its code calls: the job item, read and updated', () => {
    expect(actionsOf(HANDLERS.pipeline.validate)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('only the tasks that write usage records or report to a project may put and query the table', () => {
    const dynamo = (entry: string) => actionsOf(entry).filter((a) => a.startsWith('dynamodb:'));
    const p = HANDLERS.pipeline;
    for (const entry of [p.probe, p.plan, p.renderChunk, p.renderAudio, p.stitch, p.packageMediaConvert])
      expect({ entry, actions: dynamo(entry) }).toEqual({
        entry,
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      });
    for (const entry of [p.prepareItem, p.finalize, p.markFailed])
      expect({ entry, actions: dynamo(entry) }).toEqual({
        entry,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      });
  });
});
