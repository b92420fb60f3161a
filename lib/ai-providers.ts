import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ENV, ENV_VARS } from '../lambdas/core/config.js';
import { TRANSCRIBE_JOB_PREFIX } from '../lambdas/core/providers/transcription/amazon-transcribe.js';

/**
 * The AI providers a deployment enables (construct props → the ENV table the runtime reads in
 * lambdas/core/providers/settings.ts). Off by default: a disabled capability is `none` and jobs that
 * need it are refused at submit with NOT_SUPPORTED naming the prop to set.
 */
export interface AiProvidersProps {
  /** Amazon Transcribe for `captions.transcribe` and caption `src: "auto"`. Default off. */
  readonly transcription?: boolean | { readonly languageCode?: string };
  /** Amazon Polly for voiceover scenes and `text-to-speech` assets. Default off. */
  readonly voice?:
    | boolean
    | {
        readonly engine?: 'neural' | 'standard' | 'long-form' | 'generative';
        readonly defaultVoice?: string;
      };
  /**
   * Amazon Rekognition Video face detection for clip jobs' `reframe.mode: "face"` (StartFaceDetection on an
   * H.264 proxy staged under work/, polled by the state machine). Default off: face reframing is refused.
   */
  readonly faces?: boolean;
  /** Bedrock (Converse API) ranks auto-clip candidates and titles them, with this model id. Default: the heuristic. */
  readonly ranking?: { readonly modelId: string };
  /**
   * Amazon Bedrock generation for generate scenes and the text-to-image / image-to-video assets: Nova Reel
   * (StartAsyncInvoke, written to the outputs bucket, polled by the state machine) and Nova Canvas
   * (InvokeModel). Default off: those are refused with NOT_SUPPORTED naming this prop.
   */
  readonly generation?:
    | boolean
    | {
        /** Default amazon.nova-reel-v1:1. */
        readonly videoModelId?: string;
        /** Default amazon.nova-canvas-v1:0. */
        readonly imageModelId?: string;
        /** Per-job cap on the planned generations' estimated cost, USD; default 10. */
        readonly maxUsdPerJob?: number;
        /** Restarts of a generation Bedrock reports Failed; default 2. */
        readonly retries?: number;
      };
  /**
   * Bedrock (Converse API) writes planned scenes' prompts, lengths and shot notes
   * (POST /v1/projects/{id}/plan), with this model id. Default off: plans with prompts are refused.
   */
  readonly planning?: { readonly modelId: string };
  /** Region of the AI services when not the stack's (e.g. where the Bedrock model is enabled). */
  readonly region?: string;
}

const opt = <T extends object>(v: boolean | T | undefined): T | undefined =>
  typeof v === 'object' ? v : undefined;

/** The runtime settings for these props (every function gets them: submit checks what is enabled). */
export function aiEnvironment(props: AiProvidersProps = {}): Record<string, string> {
  const t = opt(props.transcription);
  const v = opt(props.voice);
  const g = opt(props.generation);
  return {
    [ENV.GENERATOR]: props.generation ? 'bedrock' : 'none',
    ...(g?.videoModelId ? { [ENV.VIDEO_MODEL_ID]: g.videoModelId } : {}),
    ...(g?.imageModelId ? { [ENV.IMAGE_MODEL_ID]: g.imageModelId } : {}),
    ...(g?.maxUsdPerJob !== undefined ? { [ENV.GENERATION_MAX_USD]: String(g.maxUsdPerJob) } : {}),
    ...(g?.retries !== undefined ? { [ENV.GENERATION_RETRIES]: String(g.retries) } : {}),
    [ENV.TRANSCRIBER]: props.transcription ? 'transcribe' : 'none',
    [ENV.VOICE]: props.voice ? 'polly' : 'none',
    [ENV.RANKER]: props.ranking ? 'bedrock' : 'heuristic',
    [ENV.FACE_DETECTOR]: props.faces ? 'rekognition' : 'none',
    [ENV.PLANNER]: props.planning ? 'bedrock' : 'none',
    ...(t?.languageCode ? { [ENV.TRANSCRIBE_LANGUAGE]: t.languageCode } : {}),
    ...(v?.engine ? { [ENV.POLLY_ENGINE]: v.engine } : {}),
    ...(v?.defaultVoice ? { [ENV.POLLY_VOICE]: v.defaultVoice } : {}),
    ...(props.ranking ? { [ENV.BEDROCK_MODEL_ID]: props.ranking.modelId } : {}),
    ...(props.planning ? { [ENV.PLANNER_MODEL_ID]: props.planning.modelId } : {}),
    ...(props.region ? { [ENV.AI_REGION]: props.region } : {}),
  };
}

/**
 * Exactly the provider actions the runtime calls, on the narrowest resources each service authorizes:
 * - Transcribe: Start/GetTranscriptionJob on jobs named with the platform's prefix (prepare items);
 * - Polly: SynthesizeSpeech (prepare items). It authorizes against lexicons; the platform uses none,
 *   and a call without lexicons is authorized on `*`;
 * - Bedrock: InvokeModel (what Converse needs) on the one foundation model (the probe step ranks);
 * - Rekognition: Start/GetFaceDetection (prepare items). Neither authorizes against a resource, so `*`;
 *   Rekognition reads the staged video with the caller's rights (work/ read, granted in pipeline.ts).
 * - Bedrock generation (prepare items): InvokeModel on the two foundation models (Nova Canvas's InvokeModel
 *   and Nova Reel's StartAsyncInvoke both authorize as bedrock:InvokeModel) and GetAsyncInvoke on the
 *   account's async invocations. Bedrock writes the video with the caller's own s3:PutObject on work/*,
 *   which the prepare-item function already has.
 */
export function grantAiProviders(
  scope: Stack,
  props: AiProvidersProps,
  fns: { prepareItem: IGrantable; probe: IGrantable },
): void {
  const region = props.region ?? scope.region;
  if (props.transcription)
    fns.prepareItem.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['transcribe:StartTranscriptionJob', 'transcribe:GetTranscriptionJob'],
        resources: [
          `arn:${scope.partition}:transcribe:${region}:${scope.account}:transcription-job/${TRANSCRIBE_JOB_PREFIX}*`,
        ],
      }),
    );
  if (props.voice)
    fns.prepareItem.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['polly:SynthesizeSpeech'], resources: ['*'] }),
    );
  if (props.faces)
    fns.prepareItem.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['rekognition:StartFaceDetection', 'rekognition:GetFaceDetection'],
        resources: ['*'],
      }),
    );
  const g = opt(props.generation);
  if (props.generation) {
    const models = [
      g?.videoModelId ?? ENV_VARS.VIDEO_MODEL_ID.fallback,
      g?.imageModelId ?? ENV_VARS.IMAGE_MODEL_ID.fallback,
    ];
    fns.prepareItem.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: models.map((m) => `arn:${scope.partition}:bedrock:${region}::foundation-model/${m}`),
      }),
    );
    fns.prepareItem.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['bedrock:GetAsyncInvoke'],
        resources: [`arn:${scope.partition}:bedrock:${region}:${scope.account}:async-invoke/*`],
      }),
    );
  }
  if (props.ranking)
    fns.probe.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [`arn:${scope.partition}:bedrock:${region}::foundation-model/${props.ranking.modelId}`],
      }),
    );
}

/** Bedrock InvokeModel (what Converse needs) on the planning model, for the function that plans: the projects API. */
export function grantAiPlanning(scope: Stack, props: AiProvidersProps, projects: IGrantable): void {
  if (!props.planning) return;
  projects.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [
        `arn:${scope.partition}:bedrock:${props.region ?? scope.region}::foundation-model/${props.planning.modelId}`,
      ],
    }),
  );
}
