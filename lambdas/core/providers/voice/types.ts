import type { Word } from '../../text/transcript.js';

/** What to say: plain text, or SSML (`<speak>…</speak>`); a voice name the provider knows. */
export interface SpeechRequest {
  text: string;
  voice?: string;
  /** BCP-47 language, when the voice alone does not say (Polly's LanguageCode). */
  language?: string;
}

/** Spoken audio with the timing of every word in it (captions that match the voice). */
export interface Speech {
  /** An audio file in the scratch folder (WAV locally, MP3 from Polly). */
  path: string;
  durationSeconds: number;
  words: Word[];
  /** Characters billed (Polly bills characters of the request, SSML tags excluded). */
  characters: number;
}

/** Text to speech, behind one interface: espeak-ng locally, Amazon Polly in AWS. */
export interface Voice {
  /** The engine, as metered in usage (`espeak`, `polly`). */
  name: 'espeak' | 'polly';
  /** `at` is the JSON path of the request (errors name `${at}.voice`, `${at}.text`). */
  synthesize(req: SpeechRequest, scratchDir: string, at: string): Promise<Speech>;
}
