import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CutlineError } from '../../errors.js';
import { probeFile } from '../../media/probe.js';
import { execManaged } from '../../media/processes.js';
import type { Scene } from '../schema.js';
import { imageProvider } from './image.js';
import { titleCard } from './title.js';
import type { SceneProvider } from './types.js';

type Voiceover = Extract<Scene, { source: 'voiceover' }>;

/** Silence after the speech when the scene has no length of its own, so words are not cut at a cut. */
export const VOICEOVER_TAIL_SECONDS = 0.5;

/**
 * Text-to-speech with espeak-ng where it is installed (the local platform, CI). Amazon Polly is not wired
 * in this build, so where espeak-ng is missing (AWS Lambda) voiceover scenes are refused with the reason.
 */
export const voiceoverProvider: SceneProvider<Voiceover> = {
  source: 'voiceover',
  generates: true,
  available: (env) =>
    env.espeak
      ? true
      : 'voiceover scenes need espeak-ng on the machine that renders (apt-get install espeak-ng); Amazon Polly is not wired in this build, so they are not available in this deployment: use an upload scene with recorded narration',
  sources: (s) => (s.image ? [{ src: s.image, at: 'image' }] : []),
  async prepare(s, ctx, at) {
    const bin = ctx.env.espeak;
    if (!bin)
      throw new CutlineError('NOT_SUPPORTED', `${at}: ${String(this.available(ctx.env))}`, [
        { path: `${at}.source`, message: 'voiceover is not available here' },
      ]);
    const base = join(ctx.scratchDir, `voiceover-${s.id}`);
    // The text goes through a file, never argv: a leading "-" or any quoting stays text.
    await writeFile(`${base}.txt`, s.text, 'utf8');
    try {
      await execManaged(bin, ['-v', s.voice ?? 'en', '-f', `${base}.txt`, '-w', `${base}.wav`], {
        timeoutMs: 120_000,
      });
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
      if (/voice/i.test(stderr) && s.voice)
        throw new CutlineError('VALIDATION_FAILED', `${at}.voice: espeak-ng has no voice "${s.voice}"`, [
          { path: `${at}.voice`, message: `unknown voice "${s.voice}" (espeak-ng --voices lists them)` },
        ]);
      throw new CutlineError(
        'RENDER_FAILED',
        `${at}: espeak-ng failed: ${stderr || (err as Error).message}`,
        [],
        true,
      );
    }
    const probe = await probeFile(`${base}.wav`, at);
    if (!probe.hasAudio || !probe.durationSeconds)
      throw new CutlineError('RENDER_FAILED', `${at}: espeak-ng produced no speech`, [], true);
    const src = await ctx.publish(`${base}.wav`, `scene-${s.id}-voiceover.wav`);
    return { src, kind: 'audio', durationSeconds: probe.durationSeconds };
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
    };
  },
};
