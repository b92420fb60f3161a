import { type CfnResource, Duration, Size } from 'aws-cdk-lib';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { ENV, SERVICE_NAME } from '../lambdas/core/config.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CutlineFunctionProps {
  readonly entry: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Settings of the function, by ENV names (lambdas/core/config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroup: ILogGroup;
  readonly ephemeralStorageMiB?: number;
  readonly layers?: ILayerVersion[];
  /** Default arm64; a function carrying native layers runs on theirs (lib/chromium-layer.ts). */
  readonly architecture?: Architecture;
  /** Render functions carry the shipped fonts. */
  readonly withFonts?: boolean;
  /** Reserved concurrency: at most this many at once (a render budget); beyond it invokes are throttled. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Every handler is bundled the same way: esbuild to one ESM file for nodejs22.x, on arm64 (Graviton is
 * cheaper per second) unless its layers need x86_64 (the Chromium layer, and the ffmpeg layer beside it). The AWS SDK is bundled too,
 * not left to the runtime's copy: the runtime's SDK version is whatever Lambda ships that month (and it
 * lacks packages such as lib-storage in some versions), while the bundle runs the versions the lockfile
 * pins and the tests ran — test/unit/cdk/stack.test.ts loads every bundle in a folder with no node_modules.
 */
export class CutlineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: CutlineFunctionProps) {
    super(scope, id, {
      entry: `${ROOT}${props.entry}`,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture ?? Architecture.ARM_64,
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
        [ENV.NODE_OPTIONS]: '--enable-source-maps',
        [ENV.POWERTOOLS_SERVICE_NAME]: SERVICE_NAME,
        ...(props.withFonts ? { [ENV.FONTS_DIR]: '/var/task/fonts' } : {}),
        ...props.environment,
      },
      depsLockFilePath: `${ROOT}package-lock.json`,
      projectRoot: ROOT,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        // Lines and files, not the sources themselves: the map is a third the size, which the drawing
        // functions need (Lambda's 250 MiB holds their code, ffmpeg and Chromium; lib/chromium-layer.ts).
        sourcesContent: false,
        // Nothing external but playwright-core (see above; CDK's default leaves @aws-sdk/* to the runtime):
        // the functions that draw html assets import it from the Chromium layer (lambdas/core/html/browser.ts).
        externalModules: ['playwright-core'],
        mainFields: ['module', 'main'],
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
        ...(props.withFonts
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `cp -r "${inputDir}/assets/fonts" "${outputDir}/fonts"`,
                  // The built-in Google families, flat beside them (lambdas/core/text/builtin-fonts.ts).
                  `find "${inputDir}/node_modules/@expo-google-fonts" -name '*.ttf' -exec cp {} "${outputDir}/fonts/" ';'`,
                ],
              },
            }
          : {}),
      },
    });
    // Names the handler in the template, so checks of the synthesized template (the IAM simulation of
    // test/integration/platform/iam.test.ts) find a function by the code it runs.
    (this.node.defaultChild as CfnResource).addMetadata(HANDLER_METADATA, props.entry);
  }
}

/** The template metadata key that holds a function's entry file (e.g. `lambdas/api/renders.ts`). */
export const HANDLER_METADATA = 'cutline:handler';
