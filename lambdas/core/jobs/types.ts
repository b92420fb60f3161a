import type { Edit } from '../edit/schema.js';
import type { ProbeResult } from '../media/probe.js';

/** What a job's callback may receive besides Job Succeeded / Failed / Cancelled. */
export const CALLBACK_EVENTS = ['progress'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/**
 * Every job type runs through the one pipeline by becoming a list of *renditions*: ordinary edits, one
 * per output (a plain render is one; a clip job is clips × aspect ratios; a mix is its variations). The
 * state machine fans out over renditions with a Map, and each rendition is planned, chunked, rendered and
 * stitched exactly like a single edit. A kind may also ask for *prepare items* first (work that must
 * happen before the renditions can be built, e.g. generating a scene's media), which the pipeline runs in
 * a Map of their own, each with retries.
 */
export const JOB_TYPES = ['render', 'clips', 'mix', 'project'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export interface Rendition {
  /** File-name stem of the outputs, unique in the job: `output`, `clip-01-9x16`, `variation-003`. */
  name: string;
  edit: Edit;
  /** Shown in the job result and the manifest (e.g. { clip: 1, aspectRatio: '9:16', sources: [...] }). */
  meta?: Record<string, unknown>;
}

/** What expansion may read: a source's local copy and its probe (both cached for the job). */
export interface ExpandContext {
  tenantId: string;
  jobId: string;
  /** Downloads (once) and returns the local path of a source, resolved like an edit's `src`. */
  localPath(src: string, at: string): Promise<string>;
  /** Where ffmpeg reads a media source without downloading it (a loopback range URL); absent: localPath. */
  mediaPath?(src: string, at: string): Promise<string>;
  probe(src: string, at: string): Promise<ProbeResult>;
  /** A scratch folder for analysis files, removed after expansion. */
  scratchDir: string;
  /** Results of the prepare items, by item id (see JobKind.prepareItems). */
  prepared: ReadonlyMap<string, unknown>;
}

export interface PrepareItem {
  id: string;
  [k: string]: unknown;
}

export interface JobKind<R = unknown> {
  type: JobType;
  /** Validates a request (after merge); throws CutlineError VALIDATION_FAILED/LIMIT_EXCEEDED with paths. */
  parse(body: unknown): R;
  /** Every `src` the request reads, with its JSON path, so submit can refuse what the tenant may not read. */
  sources(request: R): Array<{ src: string; at: string }>;
  /** The callback URL for webhooks, when the request carries one. */
  callback?(request: R): string | undefined;
  /** What else the callback wants (`["progress"]`), when the request says. */
  callbackEvents?(request: R): CallbackEvent[] | undefined;
  /** Work to fan out before expansion (pure: from the request alone). */
  prepareItems?(request: R): PrepareItem[];
  /** Runs one prepare item (in its own task, retried); the result is stored and handed to expand. */
  prepareItem?(request: R, item: PrepareItem, ctx: Omit<ExpandContext, 'prepared'>): Promise<unknown>;
  /** The renditions: pure except for reading sources through ctx (analysis such as scene detection). */
  expand(request: R, ctx: ExpandContext): Promise<Rendition[]>;
}
