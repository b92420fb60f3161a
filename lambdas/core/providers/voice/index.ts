import { CutlineError } from '../../errors.js';
import { pollyClient } from '../clients.js';
import { providerSettings, type ProviderSettings } from '../settings.js';
import { espeakVoice } from './espeak.js';
import { pollyVoice } from './polly.js';
import type { Voice } from './types.js';
import { ENV } from '../../config.js';

export type { Speech, SpeechRequest, Voice } from './types.js';

export const NO_VOICE = `text-to-speech is not configured in this deployment: install espeak-ng on the machine that renders (apt-get install espeak-ng), or deploy with the voice provider enabled (ai.voice: Amazon Polly, ${ENV.VOICE}=polly)`;

/** The deployment's voice (settings.ts decides which), or undefined where there is none. */
export function voiceFor(s: ProviderSettings = providerSettings()): Voice | undefined {
  switch (s.voice) {
    case 'espeak':
      return espeakVoice(s.espeak);
    case 'polly':
      return pollyVoice({ client: pollyClient(), engine: s.polly.engine, defaultVoice: s.polly.voice });
    default:
      return undefined;
  }
}

/** The voice, or NOT_SUPPORTED naming what to configure (`at`: the JSON path that asked for speech). */
export function requireVoice(voice: Voice | undefined, at: string): Voice {
  if (!voice)
    throw new CutlineError('NOT_SUPPORTED', `${at}: ${NO_VOICE}`, [
      { path: at, message: 'no text-to-speech here' },
    ]);
  return voice;
}
