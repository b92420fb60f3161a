import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROOT } from './functions.js';

/** The context key (`cdk synth -c allowMissingFfmpegLayer=true`) that lets synth go on without ffmpeg. */
export const ALLOW_MISSING_FFMPEG = 'allowMissingFfmpegLayer';

export interface FfmpegLayerProps {
  /**
   * Synthesize without `layers/ffmpeg/build/bin/` (offline checks, tests, CI). Default: the context value
   * `allowMissingFfmpegLayer`, else false — a stack whose renders would all fail must not reach `cdk deploy`.
   */
  readonly allowMissing?: boolean;
}

/**
 * ffmpeg and ffprobe for the render functions, from `layers/ffmpeg/build/bin/` (made by
 * `layers/ffmpeg/build.sh`). Without them synth fails, unless explicitly allowed: then it stages an
 * empty placeholder layer and warns, so the template can still be checked offline.
 */
export class FfmpegLayer extends Construct {
  readonly layer: LayerVersion;
  readonly present: boolean;

  constructor(scope: Construct, id: string, props: FfmpegLayerProps = {}) {
    super(scope, id);
    const built = join(ROOT, 'layers/ffmpeg/build');
    this.present = existsSync(join(built, 'bin/ffmpeg')) && existsSync(join(built, 'bin/ffprobe'));
    const allowMissing =
      props.allowMissing ?? ['true', true].includes(this.node.tryGetContext(ALLOW_MISSING_FFMPEG));
    let dir = built;
    if (!this.present) {
      if (!allowMissing)
        throw new Error(
          'layers/ffmpeg/build/bin has no ffmpeg/ffprobe, so every render of this stack would fail: run ' +
            '`bash layers/ffmpeg/build.sh` before `cdk deploy`, or synthesize for offline checks only with ' +
            `\`-c ${ALLOW_MISSING_FFMPEG}=true\`.`,
        );
      dir = join(ROOT, 'cdk.out', '.ffmpeg-layer-placeholder');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'README.txt'), 'Placeholder: run layers/ffmpeg/build.sh before deploying.\n');
      Annotations.of(this).addWarningV2(
        'cutline:ffmpeg-layer-missing',
        `Synthesized with ${ALLOW_MISSING_FFMPEG}: the ffmpeg layer is an empty placeholder; do not deploy this template.`,
      );
    }
    this.layer = new LayerVersion(this, 'Layer', {
      code: Code.fromAsset(dir),
      compatibleArchitectures: [Architecture.ARM_64],
      description: 'ffmpeg and ffprobe (static, arm64) at /opt/bin',
    });
  }
}
