import { Duration, Size } from 'aws-cdk-lib';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CutlineFunctionProps {
  entry: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logGroup: ILogGroup;
  ephemeralStorageMiB?: number;
  layers?: ILayerVersion[];
  /** Render functions carry the shipped fonts. */
  withFonts?: boolean;
  /** Reserved concurrency: at most this many at once (a render budget); beyond it invokes are throttled. */
  reservedConcurrentExecutions?: number;
}

/**
 * Every handler is bundled the same way: esbuild to one ESM file for nodejs22.x on arm64 (Graviton is
 * cheaper per render second; the ffmpeg layer is built for arm64 to match), the AWS SDK left to the runtime.
 */
export class CutlineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: CutlineFunctionProps) {
    super(scope, id, {
      entry: `${ROOT}${props.entry}`,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: props.logGroup,
      layers: props.layers,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...(props.ephemeralStorageMiB
        ? { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMiB) }
        : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'cutline',
        ...(props.withFonts ? { CUTLINE_FONTS_DIR: '/var/task/fonts' } : {}),
        ...props.environment,
      },
      depsLockFilePath: `${ROOT}package-lock.json`,
      projectRoot: ROOT,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
        ...(props.withFonts
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `cp -r "${inputDir}/assets/fonts" "${outputDir}/fonts"`,
                ],
              },
            }
          : {}),
      },
    });
  }
}
