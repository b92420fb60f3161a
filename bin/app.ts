import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CutlineStack } from '../lib/cutline-stack.js';
import { applyNagSuppressions } from '../lib/nag.js';
import { setting } from '../lambdas/core/config.js';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new CutlineStack(app, 'Cutline', {
  // Environment-agnostic unless the CLI knows the account (synth works offline with no credentials).
  ...(account && region ? { env: { account, region } } : {}),
  platform: {
    // The web console on CloudFront: `npx cdk deploy -c console=true`.
    webConsole: ['true', true].includes(app.node.tryGetContext('console')),
    // HLS on AWS Elemental MediaConvert: `-c mediaConvert=true` (jobs that ask), `=default` (every hls preset).
    ...(['true', true, 'default'].includes(app.node.tryGetContext('mediaConvert'))
      ? { mediaConvert: { default: app.node.tryGetContext('mediaConvert') === 'default' } }
      : {}),
    // Alarms go to an SNS topic; `-c alarmEmail=ops@example.com` (or ENV.ALARM_EMAIL) subscribes an address.
    alarmEmail: app.node.tryGetContext('alarmEmail') ?? setting('ALARM_EMAIL'),
    // Estimates and task limits scaled to the functions' measured speed: `-c costScale=1.3`.
    ...(app.node.tryGetContext('costScale') !== undefined
      ? { costScale: Number(app.node.tryGetContext('costScale')) }
      : {}),
  },
});
applyNagSuppressions(stack);
// cdk-nag's AWS Solutions rules run as a policy-validation plugin: an unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
