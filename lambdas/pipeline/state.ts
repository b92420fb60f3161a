import type { PrepareItem } from '../core/jobs/types.js';
import type { RenditionTimeouts } from '../core/plan/timeouts.js';

/**
 * The contract with statemachines/render.asl.json: what each state hands its task and what the task
 * answers, as the definition's Parameters, ItemSelectors and ResultPaths shape them. The states carry
 * references (keys), never lists that grow with the job; the documents they name live in S3
 * (work-files.ts).
 */

export interface ChunkPlan {
  index: number;
  startFrame: number;
  endFrame: number;
  estimatedSeconds: number;
  /** The RenderChunk task's limit (TimeoutSecondsPath). */
  timeoutSeconds: number;
}

/** How one rendition renders: one item of the Plan step's manifest, which RenderRenditions reads from S3. */
export interface RenditionPlan {
  index: number;
  name: string;
  target: 'lambda' | 'fargate';
  chunked: boolean;
  maxConcurrency: number;
  estimatedSeconds: number;
  /** The limits of the rendition's tasks (TimeoutSecondsPath), sized from the estimates. */
  timeouts: RenditionTimeouts;
  chunks: ChunkPlan[];
  fargate?: { subnets: string[]; securityGroups: string[] };
}

/** Where a state carries a document instead of its content (the state stays the same size for any job). */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/** The state that flows between the state machine's top-level tasks (Validate, Probe, Plan, Finalize). */
export interface PipelineState {
  jobId: string;
  tenantId: string;
  /** Validate → the PrepareItems Map. */
  prepare?: PrepareItem[];
  /** Plan → the RenderRenditions Map (its ItemReader) and Finalize: the RenditionPlan[] manifest. */
  plan?: ObjectRef;
  renditionConcurrency?: number;
  /** Plan → the PackageRenditions Map: renditions whose HLS AWS Elemental MediaConvert packages. */
  packaging?: Array<{ rendition: number }>;
  error?: { Error?: string; Cause?: string };
}

/** PrepareItem: one item of the PrepareItems Map. */
export interface PrepareTask {
  jobId: string;
  tenantId: string;
  item: PrepareItem;
}

/** PrepareItem's answer (the Map drops it: ResultPath null); the result itself is stored under work/. */
export interface PrepareResult {
  id: string;
}

/** The state inside one RenderRenditions item (ChooseTarget, RenderParts, Stitch). */
export interface RenditionState {
  jobId: string;
  tenantId: string;
  rendition: RenditionPlan;
  /** The Parallel state's [chunk results, audio result]. */
  render?: unknown[];
}

/** RenderChunk: one chunk of a rendition (RenderChunks Map), or the whole rendition (RenderSingle). */
export interface ChunkTask {
  jobId: string;
  tenantId: string;
  /** The rendition's index (0 for a plain render). */
  rendition?: number;
  single?: boolean;
  chunk?: { index: number; startFrame: number; endFrame: number };
}

/** RenderChunk's answer for one chunk: its file under work/<jobId>/. */
export interface ChunkResult {
  chunk: number;
  key: string;
}

/** RenderAudio: the rendition whose whole audio it mixes once. */
export interface AudioTask {
  jobId: string;
  tenantId: string;
  rendition?: number;
}

/** RenderAudio's answer: the mixed audio's work key, null when the rendition has no audio. */
export interface AudioResult {
  audioKey: string | null;
}

/** What RenderSingle, Stitch and the Fargate task leave for Finalize: the key of the rendition's stored files. */
export interface RenditionResult {
  rendition: number;
  resultKey: string;
}

/**
 * The tasks around `mediaconvert:createJob.sync` in the PackageRenditions Map: `build` turns one
 * rendition's hls preset into MediaConvert job settings (the finished main file in, its `-hls/` folder
 * out); `collect` checks the tree MediaConvert wrote against the layout it was asked for and leaves the
 * master playlist as the rendition's output for Finalize.
 */
export interface PackagingTask {
  jobId: string;
  tenantId: string;
  action: 'build' | 'collect';
  rendition: number;
  mediaConvertJobId?: string;
}

/** CollectPackaging's answer (ResultSelector keeps `key`): the work document Finalize reads. */
export interface PackagingResult {
  rendition: number;
  key: string;
}

/** What a child execution says about the task that failed (the RecordFailure states' payload). */
export interface FailedTask {
  /** `chunk`, `audio`, or the rendition's target for its own tasks (`lambda`: single pass or stitch). */
  task?: string;
  /** The rendition's plan, or its index where the state carries only that (inside the chunk Map). */
  rendition?: RenditionPlan | number;
  chunk?: ChunkPlan;
}

/**
 * MarkFailed's input: the pipeline state with the caught error; inside a Distributed Map's child also
 * `child: true` and what failed (a Map reports only States.ExceedToleratedFailureThreshold upward, so the
 * child records the real reason first).
 */
export interface FailedState extends PipelineState, FailedTask {
  child?: boolean;
}

/** Finalize's answer: the detail PublishSucceeded puts on the bus. */
export interface EventResult {
  event: Record<string, unknown>;
}

/** MarkFailed's answer: PublishFailed's detail, and the reason the RecordFailure states select. */
export interface FailedResult extends EventResult {
  error: { code: string; message: string };
}
