import { contentType } from '../aws/storage.js';
import { CutlineError } from '../errors.js';
import type { JobKind, PrepareItem } from '../jobs/types.js';
import { getPlatform } from '../platform.js';
import { callerFor, unmeteredCaller, type CallScope, type ProviderCaller } from '../providers/call.js';
import { composeEdit, itemId, scenesToGenerate } from './compose.js';
import { assertAvailable, providerEnv, providerOf, type ProviderEnv } from './providers/index.js';
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

export interface ProjectItem extends PrepareItem {
  sceneId: string;
  /** The scene's index in the request's snapshot. */
  index: number;
}

const errorOf = (err: unknown) =>
  err instanceof CutlineError
    ? { code: err.code, message: err.message }
    : { code: 'INTERNAL', message: (err as Error).message ?? String(err) };

/**
 * Scene projects as a job kind: the request is the project as it was at compose time (scenes, status and
 * any media already made), so the job reads nothing else. Scenes whose media must be generated (voiceover,
 * generate) are prepare items, one per scene, each reporting its status to the project; the one rendition
 * is the composed edit.
 */
export function makeProjectKind(deps: ProjectKindDeps): JobKind<ProjectJobRequest> {
  return {
    type: 'project',
    parse: parseProjectJob,
    sources: (req) => projectSources(req.project, 'project.'),
    callback: (req) => req.callback,
    callbackEvents: (req) => req.callbackEvents,
    prepareItems: (req) =>
      scenesToGenerate(req).map(({ scene, index }) => ({ id: itemId(scene), sceneId: scene.id, index })),
    async prepareItem(req, raw, ctx): Promise<SceneMedia> {
      const item = raw as ProjectItem;
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
      await report({ status: 'processing', attempt: true });
      try {
        assertAvailable(scene, env, at);
        if (!provider.prepare) throw new Error(`${scene.source} scenes have nothing to generate`);
        const media = await provider.prepare(
          scene,
          {
            tenantId: ctx.tenantId,
            jobId: ctx.jobId,
            scratchDir: ctx.scratchDir,
            env,
            project: {
              mode: req.project.mode,
              ...(req.project.prompt ? { prompt: req.project.prompt } : {}),
              ...(req.project.subject ? { subject: req.project.subject } : {}),
            },
            localPath: ctx.localPath,
            call: deps.caller?.({ tenantId: ctx.tenantId, jobId: ctx.jobId }) ?? unmeteredCaller,
            publish: (path, name) =>
              deps.publish({
                tenantId: ctx.tenantId,
                jobId: ctx.jobId,
                projectId: req.projectId,
                path,
                name,
              }),
          },
          at,
        );
        await report({ status: 'completed', media });
        return media;
      } catch (err) {
        await report({ status: 'failed', error: errorOf(err) });
        throw err;
      }
    },
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
