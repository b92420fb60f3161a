import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CutlineError } from '../../errors.js';
import { NO_VOICE } from '../../providers/voice/index.js';
import type { Scene } from '../schema.js';
import { imageProvider } from './image.js';
import { titleCard } from './title.js';
import type { SceneProvider } from './types.js';

type Voiceover = Extract<Scene, { source: 'voiceover' }>;

/** Silence after the speech when the scene has no length of its own, so words are not cut at a cut. */
export const VOICEOVER_TAIL_SECONDS = 0.5;

/**
 * Text-to-speech through the deployment's voice provider (espeak-ng locally, Amazon Polly in AWS). The
 * speech and its word timings are published; over an image the words are captioned as they are spoken.
 */
export const voiceoverProvider: SceneProvider<Voiceover> = {
  source: 'voiceover',
  generates: true,
  available: (env) => (env.voice ? true : `voiceover scenes need a voice: ${NO_VOICE}`),
  sources: (s) => (s.image ? [{ src: s.image, at: 'image' }] : []),
  async prepare(s, ctx, at) {
    const voice = ctx.env.voice;
    if (!voice)
      throw new CutlineError('NOT_SUPPORTED', `${at}: ${String(this.available(ctx.env))}`, [
        { path: `${at}.source`, message: 'voiceover is not available here' },
      ]);
    const dir = join(ctx.scratchDir, `voiceover-${s.id}`);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const speech = await ctx.call(
      voice.name,
      s.text.length,
      () => voice.synthesize({ text: s.text, ...(s.voice ? { voice: s.voice } : {}) }, dir, at),
      (r) => r.characters,
    );
    if (!(speech.durationSeconds > 0))
      throw new CutlineError('RENDER_FAILED', `${at}: ${voice.name} produced no speech`, [], true);
    const ext = speech.path.endsWith('.mp3') ? 'mp3' : 'wav';
    const src = await ctx.publish(speech.path, `scene-${s.id}-voiceover.${ext}`);
    const words = join(dir, 'words.json');
    await writeFile(words, JSON.stringify({ engine: voice.name, words: speech.words }));
    const transcript = await ctx.publish(words, `scene-${s.id}-voiceover.words.json`);
    return { src, kind: 'audio', durationSeconds: speech.durationSeconds, transcript };
  },
  async length(s, ctx, at) {
    if (s.length !== undefined) return s.length;
    if (!ctx.media)
      throw new CutlineError('VALIDATION_FAILED', `${at}: the voiceover has not been generated`, [
        { path: `${at}.status`, message: 'not completed' },
      ]);
    return Math.round((ctx.media.durationSeconds + VOICEOVER_TAIL_SECONDS) * 1000) / 1000;
  },
  place(s, slot, at) {
    const visual = s.image
      ? imageProvider.place({ ...s, source: 'image', src: s.image, length: slot.length }, slot, at).visual
      : titleCard({ text: s.title ?? s.text }, slot);
    if (!slot.media)
      throw new CutlineError('VALIDATION_FAILED', `${at}: the voiceover has not been generated`, [
        { path: `${at}.status`, message: 'not completed' },
      ]);
    return {
      visual,
      audio: {
        asset: { type: 'audio', src: slot.media.src },
        start: slot.start,
        length: Math.min(slot.length, slot.media.durationSeconds),
      },
      // Over a picture, the words appear as they are spoken (a title card already shows the text).
      ...(s.image && slot.media.transcript
        ? {
            overlay: {
              asset: { type: 'caption', src: slot.media.transcript },
              start: slot.start,
              length: Math.min(slot.length, slot.media.durationSeconds),
            },
          }
        : {}),
    };
  },
};
