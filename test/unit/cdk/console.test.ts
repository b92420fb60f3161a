import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebConsole } from '../../../lib/console.js';
import { acknowledgeConsole } from '../../../lib/nag.js';

let template: Template;
let nagError: unknown;
let outdir: string;

beforeAll(() => {
  // The console construct on its own (the full stack test synthesises without it, faster).
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cutline-console-cdk-')) });
  outdir = app.outdir;
  const stack = new Stack(app, 'ConsoleTest');
  const logs = new Bucket(stack, 'Logs', {
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    enforceSSL: true,
  });
  const web = new WebConsole(stack, 'Console', {
    apiUrl: 'https://example.execute-api.us-east-1.amazonaws.com/v1/',
    logsBucket: logs,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeConsole(stack, web);
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions::AwsSolutions-S1',
    reason: 'The test stack’s own log bucket needs no access logs of its own.',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (err) {
    nagError = err;
  }
  template = Template.fromStack(stack);
}, 120_000);

describe('WebConsole', () => {
  it('passes cdk-nag AwsSolutions with the acknowledgements in lib/nag.ts', () => {
    expect(nagError).toBeUndefined();
  });

  it('keeps the bucket private and serves it through CloudFront with origin access control over HTTPS', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'console/' }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Logging: Match.objectLike({ Prefix: 'console-cdn/' }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("script-src 'self'"),
          }),
        }),
      }),
    });
  });

  it('deploys console/ with config.json (the API URL) and examples.json, and invalidates the cache', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment');
    const props = (Object.values(deployments)[0] as { Properties: Record<string, unknown> }).Properties;
    expect((props.SourceObjectKeys as unknown[]).length).toBe(3);
    // The generated files are assets of their own in the cloud assembly.
    const generated = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.'))
      .flatMap((d) =>
        ['config.json', 'examples.json', 'index.html']
          .filter((f) => existsSync(join(outdir, d, f)))
          .map((f) => join(outdir, d, f)),
      );
    const config = generated.find((f) => f.endsWith('config.json'))!;
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({
      apiUrl: 'https://example.execute-api.us-east-1.amazonaws.com/v1/',
    });
    const examples = JSON.parse(
      readFileSync(
        generated.find((f) => f.endsWith('examples.json'))!,
        'utf8',
      ),
    );
    // Deployed, the examples keep relative media (the console says to upload it).
    const promo = examples.examples.find((e: { name: string }) => e.name === 'promo');
    expect(promo.local).toBe(false);
    expect(JSON.stringify(promo.edit)).not.toContain('file://');
    expect(generated.some((f) => f.endsWith('index.html'))).toBe(true);
    expect(props.DistributionPaths).toEqual(['/*']);
  });
});
