import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROOT } from './functions.js';

/** The context key (`cdk synth -c allowMissingFfmpegLayer=true`) that lets synth go on without ffmpeg. */
export const ALLOW_MISSING_FFMPEG = 'allowMissingFfmpegLayer';

/**
 * The most the layer may hold unzipped (ffmpeg + ffprobe): Lambda allows 250 MiB for a function's code
 * and layers together, and the drawing functions carry the Chromium layer and the fonts beside it. Synth
 * refuses a bigger build; the stack test counts this much for the placeholder.
 */
export const FFMPEG_LAYER_BUDGET_BYTES = 150 * 1024 ** 2;

/** ELF e_machine of each architecture a layer can be built for. */
const ELF_MACHINE: Record<string, { machine: number; build: string }> = {
  [Architecture.X86_64.name]: { machine: 0x3e, build: 'amd64' },
  [Architecture.ARM_64.name]: { machine: 0xb7, build: 'arm64' },
};

/** The ELF machine of a binary, or undefined when it is not an ELF file. */
function elfMachine(path: string): number | undefined {
  const head = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  return head.readUInt32BE(0) === 0x7f454c46 ? head.readUInt16LE(18) : undefined;
}

export interface FfmpegLayerProps {
  /** The functions' architecture, which the binaries must match. Default arm64. */
  readonly architecture?: Architecture;
  /**
   * Synthesize without `layers/ffmpeg/build/bin/` (offline checks, tests, CI). Default: the context value
   * `allowMissingFfmpegLayer`, else false — a stack whose renders would all fail must not reach `cdk deploy`.
   */
  readonly allowMissing?: boolean;
}

/**
 * ffmpeg and ffprobe for the render functions, from `layers/ffmpeg/build/bin/` (made by
 * `layers/ffmpeg/build.sh` for the functions' architecture, which synth checks). Without them synth
 * fails, unless explicitly allowed: then it stages an empty placeholder layer and warns, so the template
 * can still be checked offline.
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
    const architecture = props.architecture ?? Architecture.ARM_64;
    const want = ELF_MACHINE[architecture.name]!;
    let dir = built;
    if (this.present) {
      for (const bin of ['ffmpeg', 'ffprobe'])
        if (elfMachine(join(built, 'bin', bin)) !== want.machine)
          throw new Error(
            `layers/ffmpeg/build/bin/${bin} is not built for ${architecture.name}, which the functions that carry it run on: ` +
              `rebuild it with \`FFMPEG_ARCH=${want.build} bash layers/ffmpeg/build.sh\`.`,
          );
      const bytes = ['ffmpeg', 'ffprobe'].reduce((n, b) => n + statSync(join(built, 'bin', b)).size, 0);
      if (bytes > FFMPEG_LAYER_BUDGET_BYTES)
        throw new Error(
          `layers/ffmpeg/build/bin holds ${(bytes / 1024 ** 2).toFixed(0)} MiB, over the ${FFMPEG_LAYER_BUDGET_BYTES / 1024 ** 2} MiB ` +
            'the functions can carry beside Chromium and the fonts (Lambda: 250 MiB unzipped): use a smaller static build.',
        );
    } else {
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
      compatibleArchitectures: [architecture],
      description: `ffmpeg and ffprobe (static, ${architecture.name}) at /opt/bin`,
    });
  }
}
