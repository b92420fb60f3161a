import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROOT } from './functions.js';

/**
 * ffmpeg and ffprobe for the render functions, from `layers/ffmpeg/build/bin/` (made by
 * `layers/ffmpeg/build.sh`). Synth works without them — it stages an empty layer and warns — so the
 * stack can be checked offline; the render code names the missing ffmpeg if such a stack is deployed.
 */
export class FfmpegLayer extends Construct {
  readonly layer: LayerVersion;
  readonly present: boolean;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const built = join(ROOT, 'layers/ffmpeg/build');
    this.present = existsSync(join(built, 'bin/ffmpeg')) && existsSync(join(built, 'bin/ffprobe'));
    let dir = built;
    if (!this.present) {
      dir = join(ROOT, 'cdk.out', '.ffmpeg-layer-placeholder');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'README.txt'), 'Placeholder: run layers/ffmpeg/build.sh before deploying.\n');
      Annotations.of(this).addWarningV2(
        'cutline:ffmpeg-layer-missing',
        'layers/ffmpeg/build/bin has no ffmpeg/ffprobe: run `bash layers/ffmpeg/build.sh` before `cdk deploy`, or renders will fail with FFMPEG_UNAVAILABLE.',
      );
    }
    this.layer = new LayerVersion(this, 'Layer', {
      code: Code.fromAsset(dir),
      compatibleArchitectures: [Architecture.ARM_64],
      description: 'ffmpeg and ffprobe (static, arm64) at /opt/bin',
    });
  }
}
