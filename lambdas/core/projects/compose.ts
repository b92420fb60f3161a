import { parseEdit } from '../intake/parse-edit.js';
import { CutlineError } from '../errors.js';
import type { Clip, Edit, Output, Track } from '../edit/schema.js';
import { fpsValue, outputSpec } from '../render/output-spec.js';
import { providerOf, type PlaceContext } from './providers/index.js';
import type { ProjectFields, ProjectJobRequest, Scene, SceneMedia } from './schema.js';

/** Each mode's default frame: music videos are landscape, ad creatives are made for phones. */
const MODE_ASPECT: Record<ProjectFields['mode'], Output['aspectRatio']> = {
  'music-video': '16:9',
  'ad-creative': '9:16',
  custom: '16:9',
};

/** The composed video's output: the request's, else the project's, over the mode's defaults. */
export function projectOutput(req: Pick<ProjectJobRequest, 'project' | 'output'>): Output {
  const o = req.output ?? req.project.output ?? { format: 'mp4' as const };
  return {
    format: o.format ?? 'mp4',
    ...(o.size ? { size: o.size } : { resolution: o.resolution ?? 'sd' }),
    ...(o.size ? {} : { aspectRatio: o.aspectRatio ?? MODE_ASPECT[req.project.mode] }),
    ...(o.fps ? { fps: o.fps } : {}),
  };
}

/** The scenes a compose places: all of them, or only those already completed when asked. */
export function composedScenes(req: ProjectJobRequest): Array<{ scene: Scene; index: number }> {
  return req.project.scenes
    .map((scene, index) => ({ scene, index }))
    .filter(({ scene }) => !req.composeCompletedOnly || scene.status === 'completed');
}

/** The prepare item of a scene that needs media made (its id in ctx.prepared). */
export const itemId = (scene: Pick<Scene, 'id'>) => `scene-${scene.id}`;

/** Scenes whose media must be generated before composing: generating sources without media yet. */
export function scenesToGenerate(req: ProjectJobRequest): Array<{ scene: Scene; index: number }> {
  if (req.composeCompletedOnly) return [];
  return composedScenes(req).filter(
    ({ scene }) => providerOf(scene).generates && !(scene.status === 'completed' && scene.media),
  );
}

export interface ComposedScene {
  id: string;
  /** Position in the project, from 1. */
  number: number;
  source: Scene['source'];
  start: number;
  length: number;
}

/**
 * The one edit of a composed project: scenes end to end on one track (so the video's length is the sum
 * of the scenes'), captions on the track above, speech on a track below, the backing track as the
 * timeline's soundtrack (the compiler loops it to the end and cuts it there). A transition is applied as
 * each scene's in and out, so it never shortens the video.
 */
export async function composeEdit(
  req: ProjectJobRequest,
  ctx: Pick<PlaceContext, 'probe'>,
  prepared: ReadonlyMap<string, unknown>,
): Promise<{ edit: Edit; scenes: ComposedScene[] }> {
  const output = projectOutput(req);
  const spec = outputSpec(output);
  const frame = { width: spec.width, height: spec.height };
  const fps = fpsValue(spec.fps);
  const transitionName = req.transition ?? req.project.transition;
  const transition = transitionName && transitionName !== 'none' ? transitionName : undefined;
  const visual: Clip[] = [];
  const overlay: Clip[] = [];
  const audio: Clip[] = [];
  const placed: ComposedScene[] = [];
  const chosen = composedScenes(req);
  if (!chosen.length)
    throw new CutlineError(
      'VALIDATION_FAILED',
      'the project has no completed scene to compose; compose without composeCompletedOnly to generate them',
      [{ path: 'project.scenes', message: 'no completed scene' }],
    );
  let frames = 0;
  for (const { scene, index } of chosen) {
    const start = frames / fps;
    const at = `project.scenes[${index}]`;
    const provider = providerOf(scene);
    const media = (prepared.get(itemId(scene)) as SceneMedia | undefined) ?? scene.media;
    // Frame-exact lengths: a scene starts on a frame, so the sum of the lengths is the video's length.
    const raw = await provider.length(scene, { probe: ctx.probe, media }, at);
    const sceneFrames = Math.max(1, Math.round(raw * fps));
    const length = sceneFrames / fps;
    const clips = provider.place(scene, { start, length, transition, frame, media }, at);
    visual.push(clips.visual);
    if (clips.overlay) overlay.push(clips.overlay);
    if (clips.audio) audio.push(clips.audio);
    placed.push({ id: scene.id, number: index + 1, source: scene.source, start, length });
    frames += sceneFrames;
  }
  const tracks: Track[] = [
    ...(overlay.length ? [{ clips: overlay }] : []),
    { clips: visual },
    ...(audio.length ? [{ clips: audio }] : []),
  ];
  const a = req.project.audio;
  const edit = parseEdit({
    timeline: {
      background: '#000000',
      ...(a
        ? {
            soundtrack: {
              src: a.src,
              ...(a.volume !== undefined ? { volume: a.volume } : {}),
              ...(a.effect ? { effect: a.effect } : {}),
            },
          }
        : {}),
      tracks,
    },
    output,
    ...(req.callback ? { callback: req.callback } : {}),
  });
  return { edit, scenes: placed };
}
