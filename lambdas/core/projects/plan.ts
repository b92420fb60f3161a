import { z } from 'zod';
import { CutlineError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import { beatCuts } from '../music/beats.js';
import { MAX_PLANNED_TRACK_SECONDS } from '../music/track-beats.js';
import type { BeatAnalysis } from '../music/beats.js';
import { MAX_SCENES, MAX_SCENE_SECONDS, type Project } from './schema.js';

/** POST /v1/projects/{id}/plan. */
export const PlanRequest = z.strictObject({
  /** How many scenes; default one per ~4 s of the track. */
  scenes: z.number().int('scenes must be a whole number').min(1).max(MAX_SCENES).optional(),
  /** The video's length when the project has no backing track. */
  length: z.number().positive().max(MAX_PLANNED_TRACK_SECONDS).optional(),
  /** Whether an LLM writes each scene's prompt and shot notes (default true); false: the cuts only. */
  prompts: z.boolean().optional(),
});
export type PlanRequest = z.infer<typeof PlanRequest>;

export interface ScenePlan {
  length: number;
  tempo?: number;
  beats?: number;
  scenes: Array<{ start: number; length: number }>;
}

export interface PlanDeps {
  /** Where ffmpeg reads the backing track, and what probing it found. */
  track(src: string, at: string): Promise<{ path: string; probe: ProbeResult }>;
  beats(path: string, at: string, format?: string): Promise<BeatAnalysis>;
}

const refuse = (path: string, message: string) =>
  new CutlineError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);

/**
 * A project's scene cuts: on the backing track's beats (its length summed exactly), or even shares of
 * `length`. Scene prompts need an LLM provider: until one is configured they are refused, clearly,
 * and `prompts: false` plans the cuts alone.
 */
export async function planScenes(project: Project, req: PlanRequest, deps: PlanDeps): Promise<ScenePlan> {
  if (req.prompts !== false)
    throw new CutlineError(
      'NOT_SUPPORTED',
      'scene prompts are written by an LLM, and this deployment has no LLM provider: configure one (Amazon Bedrock in AWS, or an OpenAI-compatible endpoint locally; see the README, AI providers), or send {"prompts": false} for the beat-aligned cuts alone',
      [{ path: 'prompts', message: 'no LLM provider is configured' }],
    );
  let length: number;
  let analysis: BeatAnalysis | undefined;
  if (project.audio) {
    if (req.length !== undefined)
      throw refuse('length', 'the backing track sets the length: leave length out');
    const { path, probe } = await deps.track(project.audio.src, 'audio.src');
    length = probe.durationSeconds ?? 0;
    if (!(length > 0)) throw refuse('audio.src', 'the backing track has no duration');
    if (length > MAX_PLANNED_TRACK_SECONDS)
      throw new CutlineError(
        'LIMIT_EXCEEDED',
        `audio.src: the track is ${Math.round(length)} s; planning reads at most ${MAX_PLANNED_TRACK_SECONDS} s`,
        [{ path: 'audio.src', message: `longer than ${MAX_PLANNED_TRACK_SECONDS} s` }],
      );
    analysis = await deps.beats(path, 'audio.src', probe.format);
  } else {
    if (req.length === undefined)
      throw refuse('length', 'the project has no backing track: give the video length in seconds');
    length = req.length;
  }
  const count = req.scenes ?? Math.max(1, Math.min(MAX_SCENES, Math.round(length / 4)));
  if (length / count > MAX_SCENE_SECONDS)
    throw refuse('scenes', `${count} scenes of ${length} s would be longer than ${MAX_SCENE_SECONDS} s each`);
  return {
    length,
    ...(analysis ? { tempo: analysis.tempo, beats: analysis.beats.length } : {}),
    scenes: beatCuts(analysis?.beats ?? [], length, count),
  };
}
