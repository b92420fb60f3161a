import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { tenantSources } from '../core/objects/tenant-sources.js';
import { zodIssues } from '../core/intake/parse-edit.js';
import { submitJob } from '../core/submit/submit.js';
import { getPlatform } from '../core/platform.js';
import { scenesToGenerate } from '../core/projects/compose.js';
import { projectSources } from '../core/projects/kind.js';
import { assertAvailable, providerEnv, providerOf } from '../core/projects/providers/index.js';
import {
  ComposeRequest,
  CreateProjectRequest,
  MAX_SCENES,
  ReorderRequest,
  SceneInput,
  UpdateProjectRequest,
  type Project,
  type ProjectFields,
  type ProjectJobRequest,
  type Scene,
} from '../core/projects/schema.js';
import { listProjects } from '../core/projects/list.js';
import { PROJECT_STATUSES, projectStatus, type ProjectStatus } from '../core/projects/status.js';
import { counters, ProjectStore } from '../core/projects/store.js';
import { PlanRequest, planScenes } from '../core/projects/plan.js';
import { plannerFor, proposeScenes } from '../core/providers/planning/index.js';
import { probeFile } from '../core/media/probe.js';
import { trackBeats } from '../core/music/track-beats.js';
import { releaseScope } from '../core/net/range-proxy.js';
import {
  conflict,
  HttpError,
  httpErrors,
  invalid,
  json,
  jsonBody,
  notFound,
  tenantOf,
  idempotencyKeyOf,
} from './http.js';
import { observed } from '../core/observability.js';

const ID = /^[\w-]{1,64}$/;
const store = () => ProjectStore.of(getPlatform());

function parseBody<T>(schema: z.ZodType<T>, event: APIGatewayProxyEvent, optional = false): T {
  const r = schema.safeParse(optional && !event.body?.trim() ? {} : jsonBody(event), { reportInput: true });
  if (!r.success) throw invalid(zodIssues(r.error));
  return r.data;
}

const missing = () => notFound('no such project');
const changed = () => conflict('the project changed while this request ran; read it again and retry');

const resolver = (tenantId: string) => tenantSources(tenantId);

/** A new scene: media-ready sources are completed at once; generating ones wait for a compose. */
function newScene(input: SceneInput): Scene {
  const generates = providerOf(input).generates;
  return { ...input, id: randomUUID(), status: generates ? 'pending' : 'completed', attempts: 0 } as Scene;
}

/** Refuses, with their paths, sources the tenant may not read and scenes this deployment cannot make. */
function check(
  tenantId: string,
  fields: Parameters<typeof projectSources>[0],
  scenes: ReadonlyArray<{ scene: Scene; at: string }>,
): void {
  const r = resolver(tenantId);
  for (const ref of projectSources(fields)) r.locate(ref.src, ref.at);
  const env = providerEnv();
  for (const { scene, at } of scenes) {
    for (const ref of providerOf(scene).sources(scene)) r.locate(ref.src, `${at}.${ref.at}`);
    assertAvailable(scene, env, at);
  }
}

async function found(tenantId: string, id: string) {
  const p = ID.test(id) ? await store().get(tenantId, id) : null;
  if (!p) throw missing();
  return p;
}

/** A presigned GET for a src in the platform's buckets; none for local file:// sources. */
async function urlOf(tenantId: string, src: string): Promise<string | undefined> {
  if (src.startsWith('file://')) return undefined;
  try {
    const where = resolver(tenantId).locate(src, 'src');
    return where.kind === 's3' ? await getPlatform().objects.presignGet(where.bucket, where.key) : undefined;
  } catch {
    return undefined;
  }
}

/** The project as the API shows it: scenes numbered from 1, every asset with a presigned URL, the final video. */
async function view(project: Project, scenes: readonly Scene[], withUrls = true) {
  const { tenantId, version: _v, ...shown } = project;
  const p = getPlatform();
  const job = project.composeJobId ? await p.jobs.get(project.composeJobId, tenantId) : null;
  const refs = projectSources({ ...project, scenes: [...scenes] });
  const assets = withUrls
    ? await Promise.all(
        refs.map(async (r) => {
          const url = await urlOf(tenantId, r.src);
          return { at: r.at, src: r.src, ...(url ? { url } : {}) };
        }),
      )
    : undefined;
  const outputs =
    withUrls && job?.status === 'SUCCEEDED' && job.outputs
      ? await Promise.all(
          job.outputs.map(async (o) => ({ ...o, url: await p.objects.presignGet(p.outputsBucket, o.key) })),
        )
      : undefined;
  const video = outputs?.find((o) => o.kind === 'video');
  return {
    ...shown,
    status: projectStatus(job),
    scenes: scenes.map((s, i) => ({ number: i + 1, ...s })),
    ...(assets ? { assets } : {}),
    ...(job
      ? {
          compose: {
            jobId: job.id,
            status: job.status,
            ...(job.stage ? { stage: job.stage } : {}),
            progress: job.progress,
            ...(job.error ? { error: job.error } : {}),
            ...(outputs ? { outputs } : {}),
          },
        }
      : {}),
    ...(video ? { video } : {}),
    links: {
      self: `/v1/projects/${project.id}`,
      scenes: `/v1/projects/${project.id}/scenes`,
      order: `/v1/projects/${project.id}/order`,
      compose: `/v1/projects/${project.id}/compose`,
      finalVideo: `/v1/projects/${project.id}/final-video`,
      ...(job ? { job: `/v1/renders/${job.id}` } : {}),
    },
  };
}

async function create(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const { scenes: inputs = [], ...fields } = parseBody(CreateProjectRequest, event);
  const scenes = inputs.map(newScene);
  check(
    tenantId,
    fields,
    scenes.map((scene, i) => ({ scene, at: `scenes[${i}]` })),
  );
  const now = new Date().toISOString();
  const project: Project = {
    ...fields,
    id: randomUUID(),
    tenantId,
    ...counters(scenes),
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await store().create(project, scenes))) throw new Error(`project id ${project.id} already exists`);
  return json(201, await view(project, scenes), { location: `/v1/projects/${project.id}` });
}

async function list(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const q = event.queryStringParameters ?? {};
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw invalid([{ path: 'query.limit', message: 'limit must be a whole number from 1 to 100' }]);
  }
  const status = q.status?.toLowerCase();
  if (status !== undefined && !PROJECT_STATUSES.includes(status as ProjectStatus))
    throw invalid([
      { path: 'query.status', message: `status must be one of ${PROJECT_STATUSES.join(', ')}` },
    ]);
  const page = await listProjects(tenantId, {
    limit,
    cursor: q.cursor || undefined,
    status: status as ProjectStatus | undefined,
  });
  const projects = await Promise.all(page.projects.map(async (p) => (await view(p, [], false)) as object));
  // The list shows each project without its scenes (GET /v1/projects/{id} has them).
  const rows = projects.map((p) => {
    const { scenes: _s, ...rest } = p as { scenes?: unknown };
    return rest;
  });
  return json(200, { projects: rows, ...(page.cursor ? { cursor: page.cursor } : {}) });
}

async function update(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const id = event.pathParameters?.id ?? '';
  const { scenes } = await found(tenantId, id);
  const patch = parseBody(UpdateProjectRequest, event);
  const fields = Object.fromEntries(
    Object.entries(patch)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v === null ? undefined : v]),
  );
  check(tenantId, fields as Parameters<typeof projectSources>[0], []);
  const updated = await store().updateFields(tenantId, id, fields);
  if (!updated) throw missing();
  return json(200, await view(updated, scenes));
}

async function remove(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const id = event.pathParameters?.id ?? '';
  if (!ID.test(id) || !(await store().delete(tenantId, id))) throw missing();
  return { statusCode: 204, headers: {}, body: '' };
}

/** Applies a change to the scene list under the project's version; 409 when someone else changed it first. */
async function changeScenes(
  event: APIGatewayProxyEvent,
  change: (scenes: Scene[], tenantId: string) => Scene[],
  status = 200,
): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const id = event.pathParameters?.id ?? '';
  const { project, scenes } = await found(tenantId, id);
  const next = change([...scenes], tenantId);
  if (next.length > MAX_SCENES)
    throw invalid(
      [{ path: 'scenes', message: `a project has at most ${MAX_SCENES} scenes` }],
      'LIMIT_EXCEEDED',
    );
  const s = store();
  if (!(await s.setScenes(tenantId, id, project.version, next, scenes.length))) throw changed();
  const fresh = await s.get(tenantId, id);
  if (!fresh) throw missing();
  return json(status, await view(fresh.project, fresh.scenes));
}

/** `{n}` of a scene path: a scene number from 1 to the count. */
function sceneNumber(event: APIGatewayProxyEvent, count: number): number {
  const n = Number(event.pathParameters?.n);
  if (!(Number.isInteger(n) && n >= 1 && n <= count))
    throw new HttpError('NOT_FOUND', `no scene ${event.pathParameters?.n ?? ''}; the project has ${count}`);
  return n;
}

const addScene = (event: APIGatewayProxyEvent) => {
  const input = parseBody(SceneInput, event);
  return changeScenes(
    event,
    (scenes, tenantId) => {
      const scene = newScene(input);
      check(tenantId, {}, [{ scene, at: 'scene' }]);
      return [...scenes, scene];
    },
    201,
  );
};

const replaceScene = (event: APIGatewayProxyEvent) => {
  const input = parseBody(SceneInput, event);
  return changeScenes(event, (scenes, tenantId) => {
    const n = sceneNumber(event, scenes.length);
    const scene = newScene(input);
    check(tenantId, {}, [{ scene, at: 'scene' }]);
    scenes[n - 1] = scene;
    return scenes;
  });
};

const removeScene = (event: APIGatewayProxyEvent) =>
  changeScenes(event, (scenes) => {
    const n = sceneNumber(event, scenes.length);
    return scenes.filter((_, i) => i !== n - 1);
  });

/** PUT /v1/projects/{id}/order `{ "order": [3, 1, 2] }`: the scenes' current numbers in their new order. */
const reorder = (event: APIGatewayProxyEvent) => {
  const { order } = parseBody(ReorderRequest, event);
  return changeScenes(event, (scenes) => {
    const sorted = [...order].sort((a, b) => a - b);
    if (order.length !== scenes.length || sorted.some((n, i) => n !== i + 1))
      throw invalid([
        {
          path: 'order',
          message: `order must name each of the ${scenes.length} scenes once, by number (1–${scenes.length})`,
        },
      ]);
    return order.map((n) => scenes[n - 1]!);
  });
};

/** The project's own fields, without bookkeeping: what a job snapshot carries. */
function projectFields(p: Project): ProjectFields {
  const { name, mode, prompt, subject, audio, referenceImages, output, transition } = p;
  return Object.fromEntries(
    Object.entries({ name, mode, prompt, subject, audio, referenceImages, output, transition }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as ProjectFields;
}

/** Starts a `project` job with the project as it is now (the job is self-contained). */
async function compose(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const id = event.pathParameters?.id ?? '';
  const { project, scenes } = await found(tenantId, id);
  const body = parseBody(ComposeRequest, event, true);
  const key = idempotencyKeyOf(event);
  if (!scenes.length) throw invalid([{ path: 'scenes', message: 'the project has no scenes to compose' }]);
  if (body.composeCompletedOnly && !scenes.some((s) => s.status === 'completed'))
    throw invalid([{ path: 'composeCompletedOnly', message: 'the project has no completed scene' }]);
  if (project.composeJobId) {
    const prior = await getPlatform().jobs.get(project.composeJobId, tenantId);
    if (prior && (prior.status === 'QUEUED' || prior.status === 'RUNNING') && !key)
      throw new HttpError(
        'CONFLICT',
        `the project is being composed by job ${prior.id}; wait for it or cancel it`,
      );
  }
  const request: ProjectJobRequest = {
    projectId: project.id,
    project: { ...projectFields(project), scenes },
    ...body,
  };
  const env = providerEnv();
  for (const { scene, index } of scenesToGenerate(request)) assertAvailable(scene, env, `scenes[${index}]`);
  const { job, created } = await submitJob({
    tenantId,
    type: 'project',
    body: request,
    idempotencyKey: key,
    // The caller's body on this project; the scenes copied in may change between retries.
    fingerprint: { route: `POST /v1/projects/${project.id}/compose`, body },
    ...(project.name ? { title: project.name } : {}),
  });
  if (created) await store().setStatus(tenantId, id, 'composing', { id: job.id, replaces: true });
  return json(
    202,
    {
      jobId: job.id,
      status: job.status,
      projectId: project.id,
      links: { job: `/v1/renders/${job.id}`, project: `/v1/projects/${project.id}` },
    },
    created ? {} : { 'idempotent-replay': 'true' },
  );
}

/**
 * GET /v1/projects/{id}/final-video: the last compose's video with presigned URLs (1 hour; downloadUrl
 * saves it as an attachment), or 404 saying why there is none yet (never composed, composing, failed).
 */
async function finalVideo(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const { project } = await found(tenantId, event.pathParameters?.id ?? '');
  const p = getPlatform();
  const job = project.composeJobId ? await p.jobs.get(project.composeJobId, tenantId) : null;
  const video = job?.status === 'SUCCEEDED' ? job.outputs?.find((o) => o.kind === 'video') : undefined;
  if (!job || !video) {
    const why = !job
      ? 'the project was never composed: POST /v1/projects/{id}/compose'
      : job.status === 'QUEUED' || job.status === 'RUNNING'
        ? `it is being composed (job ${job.id}, ${job.progress} %): try again when it ends`
        : `its last compose ended ${job.status}${job.error ? ` (${job.error.code}: ${job.error.message})` : ''}: compose it again`;
    throw new HttpError('NOT_FOUND', `no final video yet: ${why}`);
  }
  const name = `${project.id.slice(0, 8)}-final.${video.key.split('.').pop()}`;
  return json(200, {
    jobId: job.id,
    ...video,
    url: await p.objects.presignGet(p.outputsBucket, video.key),
    downloadUrl: await p.objects.presignGet(p.outputsBucket, video.key, 3600, { download: name }),
    expiresInSeconds: 3600,
  });
}

/**
 * POST /v1/projects/{id}/plan: the scene cuts of the project: on the backing track's beats (lengths
 * summing to the track) or even shares of `length`, with each scene's prompt and shot note written by
 * the deployment's LLM (metered on the tenant's month); a proposal, nothing stored.
 */
async function plan(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const { project } = await found(tenantId, event.pathParameters?.id ?? '');
  const req = parseBody(PlanRequest, event, true);
  // Refused before any work when prompts are asked for and no LLM is configured.
  const planner = req.prompts === false ? undefined : plannerFor();
  const r = resolver(tenantId);
  const result = await planScenes(project, req, {
    track: async (src, at) => {
      const path = await r.media(src, at);
      return { path, probe: await probeFile(path, at) };
    },
    beats: trackBeats,
    ...(planner ? { propose: (brief) => proposeScenes(planner, { tenantId }, brief) } : {}),
  }).finally(() => releaseScope(r.scope));
  return json(200, { projectId: project.id, ...result });
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const r = `${event.httpMethod} ${event.resource}`;
  switch (r) {
    case 'POST /v1/projects':
      return create(event);
    case 'GET /v1/projects':
      return list(event);
    case 'GET /v1/projects/{id}': {
      const { project, scenes } = await found(tenantOf(event), event.pathParameters?.id ?? '');
      return json(200, await view(project, scenes));
    }
    case 'PUT /v1/projects/{id}':
      return update(event);
    case 'DELETE /v1/projects/{id}':
      return remove(event);
    case 'POST /v1/projects/{id}/scenes':
      return addScene(event);
    case 'PUT /v1/projects/{id}/scenes/{n}':
      return replaceScene(event);
    case 'DELETE /v1/projects/{id}/scenes/{n}':
      return removeScene(event);
    case 'PUT /v1/projects/{id}/order':
      return reorder(event);
    case 'POST /v1/projects/{id}/compose':
      return compose(event);
    case 'GET /v1/projects/{id}/final-video':
      return finalVideo(event);
    case 'POST /v1/projects/{id}/plan':
      return plan(event);
    default:
      throw new HttpError('NOT_FOUND', `no route ${r}`);
  }
}

export const handler = observed(route, httpErrors());
