import type { Clip, Edit } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { outputSpec } from '../render/output-spec.js';
import { GENERATED_TYPES } from './generated-assets.js';
import type { Publishers } from './publish.js';
import { assertGenerationBudget, type PlannedGeneration } from './generation/budget.js';
import { generationSettings } from './generation/settings.js';
import {
  assertGeneratorConfigured,
  pollGeneration,
  requireGenerator,
  startGeneration,
  type GenerationAsk,
  type GenerationJob,
} from './generation/index.js';
import { continuitySeed } from './generation/prompt.js';

/**
 * Shotstack's AI assets, resolved before the render like text-to-speech: each `text-to-image` and
 * `image-to-video` asset is one prepare item run by the deployment's generator (asynchronous work is
 * polled by the state machine); expansion then swaps in an image or video asset of the generated file.
 */
export interface GenerationContext {
  tenantId: string;
  jobId: string;
  scratchDir: string;
  localPath(src: string, at: string): Promise<string>;
  publishers?: Publishers;
}
type ExpandContext = GenerationContext & { prepared: ReadonlyMap<string, unknown> };
type PrepareItem = { id: string };
type GenerationItem = { id: string; kind: 'generate'; track: number; clip: number };

/** What a generated asset left: its src, and its length for a clip. */
export interface GeneratedRef {
  src: string;
  kind: 'video' | 'image';
  durationSeconds?: number;
}

const assetAt = (t: number, c: number) => `timeline.tracks[${t}].clips[${c}].asset`;
export const generationItemId = (t: number, c: number) => `generate-${t}-${c}`;
export const isGenerationItem = (item: { id: string }) => item.id.startsWith('generate-');

/** Seconds of video an image-to-video asset asks for: its clip's length (default one Nova Reel shot). */
const clipSeconds = (c: Clip) => (typeof c.length === 'number' ? c.length : 6);

/** Pure: the prepare items of an edit's AI assets. */
export function editGenerationItems(edit: Edit): PrepareItem[] {
  const items: GenerationItem[] = [];
  edit.timeline.tracks.forEach((t, ti) =>
    t.clips.forEach((c, ci) => {
      if (GENERATED_TYPES.has(c.asset.type))
        items.push({ id: generationItemId(ti, ci), kind: 'generate', track: ti, clip: ci });
    }),
  );
  return items;
}

/** Pure: every src the AI assets read (image-to-video's picture), for the submit's source checks. */
export function editGenerationSources(edit: Edit): Array<{ src: string; at: string }> {
  return edit.timeline.tracks.flatMap((t, ti) =>
    t.clips.flatMap((c, ci) =>
      c.asset.type === 'image-to-video' ? [{ src: c.asset.src, at: `${assetAt(ti, ci)}.src` }] : [],
    ),
  );
}

/** Pure: the generations an edit plans, as the cost cap sees them. */
export function editPlannedGenerations(edit: Edit): PlannedGeneration[] {
  return edit.timeline.tracks.flatMap((t, ti) =>
    t.clips.flatMap((c, ci): PlannedGeneration[] =>
      c.asset.type === 'text-to-image'
        ? [{ kind: 'image', durationSeconds: 0, referenceFrame: false, at: assetAt(ti, ci) }]
        : c.asset.type === 'image-to-video'
          ? [{ kind: 'video', durationSeconds: clipSeconds(c), referenceFrame: false, at: assetAt(ti, ci) }]
          : [],
    ),
  );
}

/** Refuses, at submit, AI assets where nothing generates and jobs whose generations pass the cost cap. */
export function assertEditGeneration(edit: Edit): void {
  const planned = editPlannedGenerations(edit);
  if (!planned.length) return;
  const settings = generationSettings();
  assertGeneratorConfigured(`${planned[0]!.at}.type`, settings);
  assertGenerationBudget(planned, settings);
}

function locate(edit: Edit, raw: PrepareItem) {
  const item = raw as GenerationItem;
  const at = assetAt(item.track, item.clip);
  const clip = edit.timeline.tracks[item.track]?.clips[item.clip];
  const a = clip?.asset;
  if (!clip || !a || (a.type !== 'text-to-image' && a.type !== 'image-to-video'))
    throw new CutlineError('RENDER_FAILED', `${at} is no longer a text-to-image or image-to-video asset`);
  return { item, at, clip, asset: a };
}

function askOf(edit: Edit, raw: PrepareItem, ctx: GenerationContext) {
  const { at, clip, asset } = locate(edit, raw);
  return async (): Promise<GenerationAsk> => {
    const seed = continuitySeed(ctx.jobId);
    if (asset.type === 'text-to-image')
      return {
        kind: 'image',
        prompt: asset.prompt,
        durationSeconds: 0,
        width: asset.width,
        height: asset.height,
        seed,
      };
    // The clip's frame: the asset's aspect ratio on the edit's output height, else the output's own.
    const out = outputSpec(edit.output);
    const ratio = asset.aspectRatio?.split(':').map(Number);
    const frame = ratio
      ? { width: Math.round((out.height * ratio[0]!) / ratio[1]! / 2) * 2, height: out.height }
      : out;
    return {
      kind: 'video',
      prompt: asset.prompt ?? 'Bring the picture to life with gentle, natural motion.',
      durationSeconds: clipSeconds(clip),
      width: frame.width,
      height: frame.height,
      image: await ctx.localPath(asset.src, `${at}.src`),
      seed,
    };
  };
}

const jobOf = (raw: PrepareItem, at: string, ctx: GenerationContext): GenerationJob => ({
  tenantId: ctx.tenantId,
  jobId: ctx.jobId,
  itemId: raw.id,
  scratchDir: ctx.scratchDir,
  at,
});

async function finish(
  raw: PrepareItem,
  at: string,
  ctx: GenerationContext,
  outcome: Awaited<ReturnType<typeof startGeneration>>,
) {
  if ('wait' in outcome) return outcome;
  if (!ctx.publishers)
    throw new CutlineError(
      'NOT_SUPPORTED',
      `${at}: text-to-image and image-to-video run on the platform (cutline start, or the stack), which keeps what they make; this renderer has no store for it`,
      [{ path: at, message: 'needs the platform' }],
    );
  const m = outcome.media;
  const src = await ctx.publishers.publish(m.path, `${raw.id}.${m.kind === 'video' ? 'mp4' : 'png'}`);
  return {
    src,
    kind: m.kind,
    ...(m.durationSeconds ? { durationSeconds: m.durationSeconds } : {}),
  } satisfies GeneratedRef;
}

/** Runs one AI asset's generation (a wait when the provider works asynchronously). */
export async function runEditGenerationItem(edit: Edit, raw: PrepareItem, ctx: GenerationContext) {
  const { at } = locate(edit, raw);
  return finish(
    raw,
    at,
    ctx,
    await startGeneration(jobOf(raw, at, ctx), askOf(edit, raw, ctx), requireGenerator(`${at}.type`)),
  );
}

export async function pollEditGenerationItem(
  edit: Edit,
  raw: PrepareItem,
  state: Record<string, string | number>,
  ctx: GenerationContext,
) {
  const { at } = locate(edit, raw);
  return finish(
    raw,
    at,
    ctx,
    await pollGeneration(jobOf(raw, at, ctx), state, askOf(edit, raw, ctx), requireGenerator(`${at}.type`)),
  );
}

/** The edit with its AI assets swapped for the generated image or video (crop and speed kept). */
export function applyEditGeneration(edit: Edit, ctx: ExpandContext): Edit {
  if (!editGenerationItems(edit).length) return edit;
  const tracks = edit.timeline.tracks.map((t, ti) => ({
    ...t,
    clips: t.clips.map((c, ci): Clip => {
      const a = c.asset;
      if (a.type !== 'text-to-image' && a.type !== 'image-to-video') return c;
      const ref = ctx.prepared.get(generationItemId(ti, ci)) as GeneratedRef | undefined;
      if (!ref)
        throw new CutlineError(
          'RENDER_FAILED',
          `the edit's generation item ${generationItemId(ti, ci)} did not run`,
        );
      const crop = a.crop ? { crop: a.crop } : {};
      if (a.type === 'text-to-image') return { ...c, asset: { type: 'image', src: ref.src, ...crop } };
      return {
        ...c,
        asset: { type: 'video', src: ref.src, ...crop, ...(a.speed !== undefined ? { speed: a.speed } : {}) },
      };
    }),
  }));
  return { ...edit, timeline: { ...edit.timeline, tracks } };
}
