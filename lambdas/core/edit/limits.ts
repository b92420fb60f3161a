/** Guard rails for what one edit may ask of the platform. Every value can be overridden per deployment. */
export interface EditLimits {
  maxTracks: number;
  maxClipsPerTrack: number;
  maxClips: number;
  /** Length of the rendered timeline (or of output.range) in seconds. */
  maxDurationSeconds: number;
  maxWidth: number;
  maxHeight: number;
  /** Size of each source file, checked before it is rendered. */
  maxSourceBytes: number;
  maxTextLength: number;
  maxFonts: number;
  maxMergeFields: number;
  /**
   * Size of the edit as stored (JSON bytes, after merge). The job item holding it must fit DynamoDB's
   * 400 KB with room for what the pipeline adds; a merge is measured before it is applied.
   */
  maxRequestBytes: number;
}

export const DEFAULT_LIMITS: Readonly<EditLimits> = Object.freeze({
  maxTracks: 20,
  maxClipsPerTrack: 200,
  maxClips: 500,
  maxDurationSeconds: 3 * 3600,
  maxWidth: 3840,
  maxHeight: 3840,
  maxSourceBytes: 100 * 1024 * 1024,
  maxTextLength: 5000,
  maxFonts: 10,
  maxMergeFields: 200,
  maxRequestBytes: 256 * 1024,
});

export function resolveLimits(overrides: Partial<EditLimits> = {}): EditLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
