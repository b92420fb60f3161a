import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { PollyClient } from '@aws-sdk/client-polly';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import { recordCalls } from '../aws/call-recorder.js';
import { tracer } from '../observability.js';
import { providerSettings } from './settings.js';

/**
 * The AI services' SDK clients, made once per process and only when a provider is used (Lambda cold
 * starts of functions that never transcribe do not load them). They make one attempt each: transient
 * errors (throttling, 5xx) are retried by the one policy of every provider call, withBackoff around
 * providerCall (providers/retry.ts, call.ts), so retries do not multiply.
 */
let cached: {
  transcribe?: TranscribeClient;
  polly?: PollyClient;
  bedrock?: BedrockRuntimeClient;
  rekognition?: RekognitionClient;
} = {};
const opts = () => ({
  maxAttempts: 1,
  ...(providerSettings().region ? { region: providerSettings().region } : {}),
});

export const transcribeClient = (): TranscribeClient =>
  (cached.transcribe ??= recordCalls(tracer.captureAWSv3Client(new TranscribeClient(opts())), 'transcribe'));
export const pollyClient = (): PollyClient =>
  (cached.polly ??= recordCalls(tracer.captureAWSv3Client(new PollyClient(opts())), 'polly'));
export const bedrockClient = (): BedrockRuntimeClient =>
  (cached.bedrock ??= recordCalls(tracer.captureAWSv3Client(new BedrockRuntimeClient(opts())), 'bedrock'));
export const rekognitionClient = (): RekognitionClient =>
  (cached.rekognition ??= recordCalls(
    tracer.captureAWSv3Client(new RekognitionClient(opts())),
    'rekognition',
  ));

export function resetProviderClients(): void {
  cached = {};
}
