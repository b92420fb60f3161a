import { z } from 'zod';
import { CutlineError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import { beatCutsAt } from '../music/beats.js';
import { MAX_PLANNED_TRACK_SECONDS } from '../music/track-beats.js';
import type { BeatAnalysis } from '../music/beats.js';
import type { PlanBrief, ProposedScene } from '../providers/planning/index.js';
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

export interface PlannedScene {
  start: number;
  length: number;
  /** What the scene shows, for a text-to-video model (a `generate` scene's prompt). */
  prompt?: string;
  /** Framing and camera move, for the editor. */
  shot?: string;
  /** The length the planner proposed; `length` is where the beat grid put the cut. */
  proposedLength?: number;
}

export interface ScenePlan {
  length: number;
  tempo?: number;
  beats?: number;
  /** Who wrote the prompts (absent: cuts only). */
  planner?: { provider: string; model: string };
  scenes: PlannedScene[];
}

export interface PlanDeps {
  /** Where ffmpeg reads the backing track, and what probing it found. */
  track(src: string, at: string): Promise<{ path: string; probe: ProbeResult }>;
  beats(path: string, at: string, format?: string): Promise<BeatAnalysis>;
  /** The scene prompts, lengths and shot notes (an LLM through the metered provider call); absent: refused. */
  propose?(brief: PlanBrief): Promise<{ scenes: ProposedScene[]; provider: string; model: string }>;
}

const refuse = (path: string, message: string) =>
  new CutlineError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);

/** The interior cut times the proposed lengths ask for, scaled to the video's length. Pure. */
export function proposedCuts(proposed: readonly number[], length: number): number[] {
  const total = proposed.reduce((a, b) => a + b, 0);
  let at = 0;
  return proposed.slice(0, -1).map((s) => (at += (s / total) * length));
}

const NO_LLM =
  'scene prompts are written by an LLM, and this deployment has no LLM provider: configure one (Amazon Bedrock in AWS, or an OpenAI-compatible endpoint locally; see the README, AI providers), or send {"prompts": false} for the beat-aligned cuts alone';

/**
 * A project's scenes: cut on the backing track's beats (its length summed exactly) or in `length`;
 * with prompts (the default) an LLM writes each scene's prompt and shot note and proposes its length,
 * and the beat grid decides where each cut lands (the proposal's shares, snapped to the nearest beat).
 * `prompts: false` plans even cuts alone.
 */
export async function planScenes(project: Project, req: PlanRequest, deps: PlanDeps): Promise<ScenePlan> {
  const propose = req.prompts === false ? undefined : deps.propose;
  if (req.prompts !== false && !propose)
    throw new CutlineError('NOT_SUPPORTED', NO_LLM, [
      { path: 'prompts', message: 'no LLM provider is configured' },
    ]);
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
  const grid = {
    length,
    ...(analysis ? { tempo: analysis.tempo, beats: analysis.beats.length } : {}),
  };
  const even = Array.from({ length: count }, () => length / count);
  if (!propose)
    return { ...grid, scenes: beatCutsAt(analysis?.beats ?? [], length, proposedCuts(even, length)) };
  const {
    scenes: proposed,
    provider,
    model,
  } = await propose({
    mode: project.mode,
    ...(project.prompt ? { prompt: project.prompt } : {}),
    ...(project.subject ? { subject: project.subject } : {}),
    scenes: count,
    seconds: length,
    ...(analysis?.tempo ? { tempo: analysis.tempo } : {}),
  });
  // The model proposes; a scene it makes longer than a scene may be is held to the even share instead.
  const lengths = proposed.map((p) => (p.seconds > MAX_SCENE_SECONDS ? length / count : p.seconds));
  const cuts = beatCutsAt(analysis?.beats ?? [], length, proposedCuts(lengths, length));
  return {
    ...grid,
    planner: { provider, model },
    scenes: cuts.map((c, i) => ({
      ...c,
      prompt: proposed[i]!.prompt,
      ...(proposed[i]!.shot ? { shot: proposed[i]!.shot } : {}),
      proposedLength: Math.round(proposed[i]!.seconds * 1000) / 1000,
    })),
  };
}
