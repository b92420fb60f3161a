import { z } from 'zod';
import {
  AspectRatio,
  AudioEffect,
  Color,
  Effect,
  Resolution,
  LIP_SYNC_REFUSAL,
  Src,
  TRANSITIONS,
  CallbackEvents,
} from '../edit/schema.js';
import { validationError } from '../errors.js';
import { zodIssues } from '../intake/parse-edit.js';

/** A project holds at most this many scenes (keys are SCENE#001 … SCENE#999; 100 keeps reads one page). */
export const MAX_SCENES = 100;
/** Longest scene, in seconds (a timeline is at most 3 hours; a scene is a part of one). */
export const MAX_SCENE_SECONDS = 600;
const MAX_TEXT = 2000;

const text = (name: string, max = MAX_TEXT) =>
  z
    .string({ error: `${name} must be a string` })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(max, `${name} is longer than ${max} characters`);
const seconds = z
  .number({ error: 'length must be a number of seconds' })
  .positive('length must be more than 0')
  .max(MAX_SCENE_SECONDS, `length must be at most ${MAX_SCENE_SECONDS} seconds`);
const volume = z.number().min(0, 'volume must be 0 or more').max(10, 'volume must be at most 10');

/**
 * A project keeps where its media is (an object key, s3:// or https URL), never a presigned URL: one
 * expires within hours (and carries a credential), so the project would stop composing.
 */
const StoredSrc = Src.refine(
  (src) => !/[?&](X-Amz-(Signature|Credential|Security-Token)|Signature|AWSAccessKeyId)=/i.test(src),
  'src is a presigned URL, which expires and carries a credential: give the object key from POST /v1/uploads (its src), or an s3:// URL',
);
/** How a picture fills the frame: `crop` (default) fills it and cuts the overflow; `contain` letterboxes. */
const SceneFit = z.enum(['crop', 'contain'], { error: 'fit must be crop or contain' });

export const MODES = ['music-video', 'ad-creative', 'custom'] as const;
export const Mode = z.enum(MODES);
export const SCENE_SOURCES = ['upload', 'image', 'title', 'voiceover', 'generate'] as const;
export type SceneSource = (typeof SCENE_SOURCES)[number];

/** Asked for on a scene that speaks or shows a character: refused, there is no engine for it. */
const LipSync = z.never({ error: LIP_SYNC_REFUSAL }).optional();

/** A user's clip (uploaded with POST /v1/uploads); its length defaults to the clip's, after trim. */
export const UploadScene = z.strictObject({
  source: z.literal('upload'),
  src: StoredSrc,
  fit: SceneFit.optional(),
  trim: z.number().min(0, 'trim must be 0 or more').optional(),
  length: seconds.optional(),
  volume: volume.optional(),
});
/** Ken Burns motion over a still, with an optional caption. */
export const ImageScene = z.strictObject({
  source: z.literal('image'),
  src: StoredSrc,
  fit: SceneFit.optional(),
  length: seconds.default(4),
  effect: Effect.optional(),
  caption: text('caption', 300).optional(),
});
/** A text card. */
export const TitleScene = z.strictObject({
  source: z.literal('title'),
  text: text('text', 500),
  length: seconds.default(3),
  color: Color.optional(),
  background: Color.optional(),
});
/** Text-to-speech over the scene's image (Ken Burns) or, without one, a title card. */
export const VoiceoverScene = z.strictObject({
  source: z.literal('voiceover'),
  text: text('text'),
  /**
   * A Polly voice id (`Joanna`, `Matthew`, `Amy`, …: in AWS that voice; locally the nearest espeak-ng
   * voice) or an espeak-ng voice (`en`, `en-us`, `de`) locally.
   */
  voice: z
    .string()
    .regex(/^[A-Za-z][\w+-]{0,39}$/, 'voice must be a voice name such as en-us')
    .optional(),
  /** Seconds; default: the speech's length plus half a second. */
  length: seconds.optional(),
  image: StoredSrc.optional(),
  /** The title card's text when there is no image; default: the spoken text. */
  title: text('title', 300).optional(),
  lipSync: LipSync,
});
/**
 * Generated media (Amazon Bedrock where the stack enables it, an HTTP provider locally): a clip from the
 * prompt (text-to-video), from `image` as its first frame (image-to-video), or a still (`kind: "image"`,
 * text-to-image, with Ken Burns motion). The project's subject and reference images keep it consistent.
 */
export const GenerateScene = z.strictObject({
  source: z.literal('generate'),
  prompt: text('prompt', 1000),
  kind: z.enum(['video', 'image'], { error: 'kind must be video or image' }).default('video'),
  image: StoredSrc.optional(),
  length: seconds.default(6),
  fit: SceneFit.optional(),
  effect: Effect.optional(),
  lipSync: LipSync,
});

export const SceneInput = z.discriminatedUnion(
  'source',
  [UploadScene, ImageScene, TitleScene, VoiceoverScene, GenerateScene],
  {
    error: (issue) => {
      const input = issue.input as { source?: unknown } | undefined;
      const s = input && typeof input === 'object' ? input.source : undefined;
      if (typeof s === 'string' && /^lip[-_ ]?sync$/i.test(s)) return LIP_SYNC_REFUSAL;
      return s === undefined
        ? `source is required: one of ${SCENE_SOURCES.join(', ')}`
        : `scene source ${JSON.stringify(s)} is not known: use one of ${SCENE_SOURCES.join(', ')}`;
    },
  },
);
export type SceneInput = z.infer<typeof SceneInput>;

export const SCENE_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export const SceneStatus = z.enum(SCENE_STATUSES);
export type SceneStatus = z.infer<typeof SceneStatus>;

/** Media a provider made for a scene: where it is and how long it runs. */
export const SceneMedia = z.strictObject({
  src: Src,
  kind: z.enum(['audio', 'video', 'image']),
  /** Seconds it runs (a still: the scene's length). */
  durationSeconds: z.number().positive(),
  /** The spoken words with their timings (a word-level transcript JSON), for generated speech. */
  transcript: Src.optional(),
});
export type SceneMedia = z.infer<typeof SceneMedia>;

/** What the store keeps per scene besides the input: identity, status, retry count, error, media. */
export const SceneState = z.strictObject({
  id: z.string().min(1).max(64),
  status: SceneStatus,
  attempts: z.number().int().min(0),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  media: SceneMedia.optional(),
  updatedAt: z.string().optional(),
});
/** A stored scene: its input and its state (strict, so a snapshot with a stray field is refused). */
export const Scene = z.discriminatedUnion('source', [
  UploadScene.extend(SceneState.shape),
  ImageScene.extend(SceneState.shape),
  TitleScene.extend(SceneState.shape),
  VoiceoverScene.extend(SceneState.shape),
  GenerateScene.extend(SceneState.shape),
]);
export type Scene = z.infer<typeof Scene>;

/** The backing track: looped when the video is longer, cut at the video's end. */
export const BackingAudio = z.strictObject({
  src: StoredSrc,
  volume: volume.optional(),
  effect: AudioEffect.optional(),
});

export const TransitionName = z.enum(['none', ...(TRANSITIONS as unknown as string[])] as [
  string,
  ...string[],
]);

/** Output of the composed video; a subset of an edit's output (format mp4, webm or mov). */
export const ProjectOutput = z.strictObject({
  format: z.enum(['mp4', 'webm', 'mov']).default('mp4'),
  resolution: Resolution.optional(),
  aspectRatio: AspectRatio.optional(),
  size: z
    .strictObject({
      width: z.number().int().min(2).max(3840),
      height: z.number().int().min(2).max(3840),
    })
    .refine((s) => s.width % 2 === 0 && s.height % 2 === 0, 'size must have even width and height')
    .optional(),
  fps: z.union([z.literal(24), z.literal(25), z.literal(30), z.literal(50), z.literal(60)]).optional(),
});
export type ProjectOutput = z.infer<typeof ProjectOutput>;

/** The project's own fields (everything but scenes and bookkeeping). */
export const ProjectFields = z.strictObject({
  name: text('name', 200).optional(),
  mode: Mode,
  prompt: text('prompt').optional(),
  /** The character (music video) or product (ad creative) the scenes are about. */
  subject: text('subject').optional(),
  audio: BackingAudio.optional(),
  referenceImages: z.array(StoredSrc).max(20, 'at most 20 reference images').optional(),
  output: ProjectOutput.optional(),
  /** Between scenes: each scene fades (or wipes, slides…) in and out; lengths do not change. */
  transition: TransitionName.optional(),
});
export type ProjectFields = z.infer<typeof ProjectFields>;

export const CreateProjectRequest = ProjectFields.extend({
  scenes: z.array(SceneInput).max(MAX_SCENES, `a project has at most ${MAX_SCENES} scenes`).optional(),
});
/** PUT /v1/projects/{id}: the fields given replace the stored ones; `null` removes an optional one. */
export const UpdateProjectRequest = z.strictObject({
  name: ProjectFields.shape.name.nullable(),
  mode: Mode.optional(),
  prompt: ProjectFields.shape.prompt.nullable(),
  subject: ProjectFields.shape.subject.nullable(),
  audio: BackingAudio.nullable().optional(),
  referenceImages: ProjectFields.shape.referenceImages.nullable(),
  output: ProjectOutput.nullable().optional(),
  transition: TransitionName.nullable().optional(),
});
export const ReorderRequest = z.strictObject({
  order: z
    .array(z.number().int().min(1), { error: 'order must be a list of scene numbers' })
    .min(1, 'order must name every scene'),
});
export const ComposeRequest = z.strictObject({
  /** Compose only the scenes already completed, generating nothing (default: every scene, generated first). */
  composeCompletedOnly: z.boolean().optional(),
  transition: TransitionName.optional(),
  output: ProjectOutput.optional(),
  callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL' }).optional(),
  callbackEvents: CallbackEvents,
});

/** A project as stored in META, as the API shows it (with scenes added). */
export interface Project extends ProjectFields {
  id: string;
  tenantId: string;
  sceneCount: number;
  completedScenes: number;
  failedScenes: number;
  /** Bumped by every change of the scene list: writes of the list are conditional on it. */
  version: number;
  composeJobId?: string;
  createdAt: string;
  updatedAt: string;
}

/** A `project` job: the project and its scenes as they were at compose time, so the job is self-contained. */
export const ProjectJobRequest = z.strictObject({
  /** The stored project whose scene status the job updates; absent for a project given inline. */
  projectId: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'projectId is not a project id')
    .optional(),
  project: ProjectFields.extend({
    scenes: z
      .array(Scene)
      .min(1, 'a project needs at least one scene to compose')
      .max(MAX_SCENES, `a project has at most ${MAX_SCENES} scenes`),
  }),
  composeCompletedOnly: z.boolean().optional(),
  transition: TransitionName.optional(),
  output: ProjectOutput.optional(),
  callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL' }).optional(),
  callbackEvents: CallbackEvents,
});
export type ProjectJobRequest = z.infer<typeof ProjectJobRequest>;

/** Validates a project job; a manifest that only names a stored project is told how to compose it. */
export function parseProjectJob(body: unknown): ProjectJobRequest {
  if (body && typeof body === 'object' && !Array.isArray(body) && !('project' in body)) {
    const id = (body as { projectId?: unknown }).projectId;
    const message =
      typeof id === 'string'
        ? `a project job carries the project's scenes; there is no project "${id}" in this request: compose a stored project with POST /v1/projects/${id}/compose, or give the project inline under "project"`
        : 'project is required: the project (mode and scenes) to compose, or compose a stored one with POST /v1/projects/{id}/compose';
    throw validationError([{ path: 'project', message }]);
  }
  const r = ProjectJobRequest.safeParse(body, { reportInput: true });
  if (!r.success) throw validationError(zodIssues(r.error));
  const ids = new Set<string>();
  r.data.project.scenes.forEach((s, i) => {
    if (ids.has(s.id))
      throw validationError([{ path: `project.scenes[${i}].id`, message: `duplicate scene id "${s.id}"` }]);
    ids.add(s.id);
  });
  return r.data;
}
