import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CutlinePlatform, type CutlinePlatformProps } from './cutline-platform.js';

/** The deployable unit: one CutlinePlatform with the given (or default) settings. */
export class CutlineStack extends Stack {
  readonly platform: CutlinePlatform;
  constructor(scope: Construct, id: string, props: StackProps & { platform?: CutlinePlatformProps } = {}) {
    super(scope, id, props);
    this.platform = new CutlinePlatform(this, 'Cutline', props.platform);
  }
}
