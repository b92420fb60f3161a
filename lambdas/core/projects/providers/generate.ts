import { CutlineError } from '../../errors.js';
import {
  NO_GENERATOR,
  pollGeneration,
  startGeneration,
  type GenerationAsk,
  type GenerationJob,
} from '../../providers/generation/index.js';
import { continuitySeed, withSubject } from '../../providers/generation/prompt.js';
import type { Scene, SceneMedia } from '../schema.js';
import { imageProvider } from './image.js';
import type { PrepareContext, ScenePending, SceneProvider } from './types.js';

type Generate = Extract<Scene, { source: 'generate' }>;

const job = (s: Generate, ctx: PrepareContext, at: string): GenerationJob => ({
  tenantId: ctx.tenantId,
  jobId: ctx.jobId,
  itemId: ctx.itemId,
  scratchDir: ctx.scratchDir,
  at,
  ...(ctx.meterGeneration ? { meter: ctx.meterGeneration } : {}),
});

/**
 * What the scene asks of the generator: its prompt with the project's subject, the same seed for every
 * scene of the project, the first frame (image-to-video) or else the project's reference images.
 */
function askOf(s: Generate, ctx: PrepareContext, at: string) {
  return async (): Promise<GenerationAsk> => {
    const refs = s.image ? [] : (ctx.project.referenceImages ?? []);
    return {
      kind: s.kind,
      prompt: withSubject(s.prompt, ctx.project.subject),
      durationSeconds: s.length,
      // The composed frame's shape (Nova Reel makes 1280x720 whatever is asked; compose crops it to fit).
      ...ctx.frame,
      seed: continuitySeed(ctx.project.subject ?? ctx.project.prompt ?? ctx.jobId),
      ...(s.image ? { image: await ctx.localPath(s.image, `${at}.image`) } : {}),
      ...(refs.length
        ? {
            references: await Promise.all(
              refs.map((src, i) => ctx.localPath(src, `project.referenceImages[${i}]`)),
            ),
          }
        : {}),
    };
  };
}

async function finish(
  s: Generate,
  ctx: PrepareContext,
  outcome: Awaited<ReturnType<typeof startGeneration>>,
): Promise<SceneMedia | ScenePending> {
  if ('wait' in outcome) return outcome;
  const m = outcome.media;
  const ext = m.kind === 'video' ? 'mp4' : 'png';
  const src = await ctx.publish(m.path, `scene-${s.id}-generated.${ext}`);
  return { src, kind: m.kind, durationSeconds: m.durationSeconds ?? s.length };
}

function refuse(at: string): never {
  throw new CutlineError('NOT_SUPPORTED', `${at}: generate scenes need a generator: ${NO_GENERATOR}`, [
    { path: `${at}.source`, message: 'generate is not available here' },
  ]);
}

/**
 * Generated scenes through the deployment's generator (Amazon Bedrock Nova Reel / Nova Canvas, or an HTTP
 * provider): asynchronous, so the state machine waits between polls. A clip plays cut to the scene's
 * length; a still gets Ken Burns motion like an image scene.
 */
export const generateProvider: SceneProvider<Generate> = {
  source: 'generate',
  generates: true,
  available: (env) => (env.generator ? true : `generate scenes need a generator: ${NO_GENERATOR}`),
  sources: (s) => (s.image ? [{ src: s.image, at: 'image' }] : []),
  async prepare(s, ctx, at) {
    if (!ctx.env.generator) refuse(at);
    if (s.kind === 'image' && s.image)
      throw new CutlineError(
        'VALIDATION_FAILED',
        `${at}.image: a first frame is for kind "video" (image-to-video)`,
        [{ path: `${at}.image`, message: 'only with kind "video"' }],
      );
    return finish(s, ctx, await startGeneration(job(s, ctx, at), askOf(s, ctx, at), ctx.env.generator));
  },
  async poll(s, state, ctx, at) {
    if (!ctx.env.generator) refuse(at);
    return finish(s, ctx, await pollGeneration(job(s, ctx, at), state, askOf(s, ctx, at), ctx.env.generator));
  },
  length: async (s) => s.length,
  place(s, slot, at) {
    if (!slot.media)
      throw new CutlineError('VALIDATION_FAILED', `${at}: the scene has not been generated`, [
        { path: `${at}.status`, message: 'not completed' },
      ]);
    if (slot.media.kind === 'image')
      return imageProvider.place(
        { ...s, source: 'image', src: slot.media.src, length: slot.length },
        slot,
        at,
      );
    return {
      visual: {
        asset: { type: 'video', src: slot.media.src },
        start: slot.start,
        length: slot.length,
        // `cover` would stretch (the edit format's meaning); crop fills the frame in shape.
        fit: s.fit ?? 'crop',
        ...(slot.transition ? { transition: { in: slot.transition, out: slot.transition } } : {}),
      },
    };
  },
};
