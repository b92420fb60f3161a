import type { Clip } from '../../edit/schema.js';
import type { ProbeResult } from '../../media/probe.js';
import type { ProviderCaller } from '../../providers/call.js';
import type { ProviderName } from '../../providers/cost.js';
import type { Generator } from '../../providers/generation/index.js';
import type { Voice } from '../../providers/voice/index.js';
import type { Scene, SceneMedia, SceneSource } from '../schema.js';

/** What this deployment offers the scene providers (see env.ts): the AI providers it configures. */
export interface ProviderEnv {
  /** Text to speech (espeak-ng locally, Amazon Polly in AWS), when the deployment has one. */
  voice?: Voice;
  /** Image and video generation (an HTTP provider locally, Amazon Bedrock in AWS), when configured. */
  generator?: Generator;
}

/** Work a provider is still running: the state machine waits and calls the scene provider's `poll`. */
export type ScenePending = { wait: { seconds: number; state: Record<string, string | number> } };

/** What a provider may use while generating a scene's media. */
export interface PrepareContext {
  tenantId: string;
  jobId: string;
  scratchDir: string;
  env: ProviderEnv;
  /** Makes a provider call: checked against the tenant's budget first, retried, metered on the job. */
  call: ProviderCaller;
  /** The project's own words and pictures, for generators: prompt, subject and character references. */
  project: { mode: string; prompt?: string; subject?: string; referenceImages?: string[] };
  /** The composed video's frame (what a generator is asked for). */
  frame: { width: number; height: number };
  /** The prepare item's id (names the provider's work and files). */
  itemId: string;
  /** Meters a generation provider's call on the job (absent: the platform's usage store). */
  meterGeneration?(provider: ProviderName, units: number): Promise<unknown>;
  localPath(src: string, at: string): Promise<string>;
  /** Stores a generated file where the render (and the project's GET) can read it; returns its src. */
  publish(path: string, name: string): Promise<string>;
}

/** What placing a scene may read: the probe of a source (for an upload's own length). */
export interface PlaceContext {
  probe(src: string, at: string): Promise<ProbeResult>;
  /** The media generated for the scene, for providers that generate. */
  media?: SceneMedia;
}

/** A scene's clips on the composed timeline, by layer. */
export interface SceneClips {
  /** The picture, on the main track. */
  visual: Clip;
  /** Text over the picture (a caption), on the track above. */
  overlay?: Clip;
  /** Sound of its own (speech), on an audio track. */
  audio?: Clip;
}

/** Where a scene lies on the timeline, and the frame it fills. */
export interface Slot {
  start: number;
  length: number;
  /** Set when the project asks for a transition between scenes. */
  transition?: string;
  frame: { width: number; height: number };
  /** The media generated for the scene, for providers that generate. */
  media?: SceneMedia;
}

/**
 * One kind of scene source behind one interface. A provider that cannot run in this environment says why
 * (`available` returns the reason) and refuses; none pretends.
 */
export interface SceneProvider<S extends Scene = Scene> {
  source: SceneSource;
  /** Whether compose must generate the scene's media (voiceover, generate) before placing it. */
  generates: boolean;
  available(env: ProviderEnv): true | string;
  /** Every `src` the scene reads, with its path relative to the scene (e.g. `src`, `image`). */
  sources(scene: S): Array<{ src: string; at: string }>;
  /**
   * Makes the scene's media (only for providers that generate). `at` is the scene's JSON path. A provider
   * that runs asynchronously answers a wait; the state machine then calls `poll` until the media is made.
   */
  prepare?(scene: S, ctx: PrepareContext, at: string): Promise<SceneMedia | ScenePending>;
  poll?(
    scene: S,
    state: Record<string, string | number>,
    ctx: PrepareContext,
    at: string,
  ): Promise<SceneMedia | ScenePending>;
  /** The scene's length in seconds: explicit, or from its media or source. */
  length(scene: S, ctx: PlaceContext, at: string): Promise<number>;
  /** Its clips at [start, start + length). */
  place(scene: S, slot: Slot, at: string): SceneClips;
}
