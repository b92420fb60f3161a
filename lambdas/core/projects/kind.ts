import { contentType } from '../aws/storage.js';
import { CutlineError, validationError } from '../errors.js';
import type { JobKind, PrepareItem } from '../jobs/types.js';
import { getPlatform } from '../platform.js';
import { callerFor, unmeteredCaller, type CallScope, type ProviderCaller } from '../providers/call.js';
import { outputSpec } from '../render/output-spec.js';
import { composeEdit, itemId, projectOutput, scenesToGenerate } from './compose.js';
import type { ProviderName } from '../providers/cost.js';
import { assertGenerationBudget } from '../providers/generation/budget.js';
import {
  assertAvailable,
  providerEnv,
  providerOf,
  type PrepareContext,
  type ProviderEnv,
  type ScenePending,
} from './providers/index.js';
import { parseProjectJob, type ProjectJobRequest, type Scene, type SceneMedia } from './schema.js';
import { ProjectStore, type SceneStatusSink } from './store.js';

/** What the project kind needs from its environment; the platform's by default, the test's in tests. */
export interface ProjectKindDeps {
  env(): ProviderEnv;
  /** Where scene status goes (the project store). */
  sink(): SceneStatusSink | undefined;
  /** Stores a generated file for the job and returns the src the render reads it by. */
  publish(file: {
    tenantId: string;
    jobId: string;
    projectId?: string;
    path: string;
    name: string;
  }): Promise<string>;
  /** How a job's provider calls are made: metered and checked against the tenant's budget (absent in tests). */
  caller?(scope: CallScope): ProviderCaller;
  /** Meters a generation provider's call (absent: the platform's usage store, providers/meter.ts). */
  meterGeneration?(jobId: string, provider: ProviderName, units: number): Promise<unknown>;
}

/** Generated media lives with the tenant's inputs, so the render reads it and the project's GET can link it. */
export const generatedKey = (tenantId: string, projectId: string | undefined, jobId: string, name: string) =>
  `inputs/${tenantId}/projects/${projectId ?? 'inline'}/${jobId}/${name}`;

export const platformDeps: ProjectKindDeps = {
  caller: callerFor,
  env: providerEnv,
  sink: () => ProjectStore.of(getPlatform()),
  async publish(f) {
    const p = getPlatform();
    const key = generatedKey(f.tenantId, f.projectId, f.jobId, f.name);
    await p.objects.putFile(p.ingestBucket, key, f.path, contentType(f.name));
    return `s3://${p.ingestBucket}/${key}`;
  },
};

/** Every src a project reads (backing track, reference images, scenes, generated media), with its path. */
export function projectSources(
  p: Pick<ProjectJobRequest['project'], 'audio' | 'referenceImages'> & { scenes?: readonly Scene[] },
  prefix = '',
): Array<{ src: string; at: string }> {
  const out: Array<{ src: string; at: string }> = [];
  if (p.audio) out.push({ src: p.audio.src, at: `${prefix}audio.src` });
  p.referenceImages?.forEach((src, i) => out.push({ src, at: `${prefix}referenceImages[${i}]` }));
  p.scenes?.forEach((s, i) => {
    const at = `${prefix}scenes[${i}]`;
    for (const ref of providerOf(s).sources(s)) out.push({ src: ref.src, at: `${at}.${ref.at}` });
    if (s.media) out.push({ src: s.media.src, at: `${at}.media.src` });
  });
  return out;
}

/** Pure: what the scenes still to generate will ask of the generator (for the cost cap). */
export function plannedGenerations(req: ProjectJobRequest) {
  return scenesToGenerate(req).flatMap(({ scene, index }) => {
    if (scene.source === 'generate' && scene.kind === 'image' && scene.image)
      throw validationError([
        {
          path: `project.scenes[${index}].image`,
          message: 'a first frame is for kind "video" (image-to-video); a still is made from the prompt',
        },
      ]);
    return scene.source === 'generate'
      ? [
          {
            kind: scene.kind,
            durationSeconds: scene.length,
            referenceFrame: scene.kind === 'video' && !scene.image && !!req.project.referenceImages?.length,
            at: `project.scenes[${index}]`,
          },
        ]
      : [];
  });
}

export interface ProjectItem extends PrepareItem {
  sceneId: string;
  /** The scene's index in the request's snapshot. */
  index: number;
}

const errorOf = (err: unknown) =>
  err instanceof CutlineError
    ? { code: err.code, message: err.message }
    : { code: 'INTERNAL', message: (err as Error).message ?? String(err) };

type ItemContext = Parameters<NonNullable<JobKind['prepareItem']>>[2];

const frameOf = (req: ProjectJobRequest) => {
  const spec = outputSpec(projectOutput(req));
  return { width: spec.width, height: spec.height };
};

/**
 * Makes one scene's media (or, with `poll`, looks again at work a provider is running), reporting the
 * scene's status to the project: processing when it starts, completed or failed when it ends.
 */
async function runScene(
  deps: ProjectKindDeps,
  req: ProjectJobRequest,
  item: ProjectItem,
  ctx: ItemContext,
  poll?: Record<string, string | number>,
): Promise<SceneMedia | ScenePending> {
  const index = req.project.scenes.findIndex((s) => s.id === item.sceneId);
  const scene = req.project.scenes[index];
  if (!scene)
    throw new Error(`prepare item ${item.id} names scene ${item.sceneId}, which the job does not have`);
  const at = `project.scenes[${index}]`;
  const sink = req.projectId ? deps.sink() : undefined;
  const report = (t: Parameters<SceneStatusSink['transition']>[3]) =>
    sink && req.projectId
      ? sink.transition(ctx.tenantId, req.projectId, scene.id, t)
      : Promise.resolve(false);
  const env = deps.env();
  const provider = providerOf(scene);
  if (!poll) await report({ status: 'processing', attempt: true });
  try {
    assertAvailable(scene, env, at);
    const run = poll ? provider.poll : provider.prepare;
    if (!run) throw new Error(`${scene.source} scenes have nothing to ${poll ? 'poll' : 'generate'}`);
    const pctx: PrepareContext = {
      tenantId: ctx.tenantId,
      jobId: ctx.jobId,
      itemId: item.id,
      frame: frameOf(req),
      scratchDir: ctx.scratchDir,
      env,
      project: {
        mode: req.project.mode,
        ...(req.project.prompt ? { prompt: req.project.prompt } : {}),
        ...(req.project.subject ? { subject: req.project.subject } : {}),
        ...(req.project.referenceImages?.length ? { referenceImages: req.project.referenceImages } : {}),
      },
      localPath: ctx.localPath,
      call: deps.caller?.({ tenantId: ctx.tenantId, jobId: ctx.jobId }) ?? unmeteredCaller,
      ...(deps.meterGeneration ? { meterGeneration: (p, u) => deps.meterGeneration!(ctx.jobId, p, u) } : {}),
      publish: (path, name) =>
        deps.publish({ tenantId: ctx.tenantId, jobId: ctx.jobId, projectId: req.projectId, path, name }),
    };
    const media = poll
      ? await provider.poll!(scene, poll, pctx, at)
      : await provider.prepare!(scene, pctx, at);
    if (!('wait' in media)) await report({ status: 'completed', media });
    return media;
  } catch (err) {
    await report({ status: 'failed', error: errorOf(err) });
    throw err;
  }
}

/**
 * Scene projects as a job kind: the request is the project as it was at compose time (scenes, status and
 * any media already made), so the job reads nothing else. Scenes whose media must be generated (voiceover,
 * generate) are prepare items, one per scene, each reporting its status to the project; the one rendition
 * is the composed edit.
 */
export function makeProjectKind(deps: ProjectKindDeps): JobKind<ProjectJobRequest> {
  return {
    type: 'project',
    // The planned generations' estimated cost is checked against the per-job cap before anything starts.
    parse: (body) => {
      const req = parseProjectJob(body);
      assertGenerationBudget(plannedGenerations(req));
      return req;
    },
    sources: (req) => projectSources(req.project, 'project.'),
    callback: (req) => req.callback,
    callbackEvents: (req) => req.callbackEvents,
    prepareItems: (req) =>
      scenesToGenerate(req).map(({ scene, index }) => ({ id: itemId(scene), sceneId: scene.id, index })),
    prepareItem: (req, raw, ctx) => runScene(deps, req, raw as ProjectItem, ctx),
    pollItem: (req, raw, state, ctx) => runScene(deps, req, raw as ProjectItem, ctx, state),
    async expand(req, ctx) {
      const { edit, scenes } = await composeEdit(req, ctx, ctx.prepared);
      return [
        {
          name: 'final',
          edit,
          meta: { ...(req.projectId ? { projectId: req.projectId } : {}), mode: req.project.mode, scenes },
        },
      ];
    },
  };
}

export const projectKind = makeProjectKind(platformDeps);
