import { SFN_QUOTAS } from './sfn-quotas.js';

/**
 * The wall-clock model of one long chunked render on many functions (the bench's "1-hour projection"),
 * with what a straight line from a short render leaves out: the Map runs its items in waves at its real
 * concurrency ceiling, every item pays an invocation and the first wave a cold start, every function
 * reads its byte ranges of the sources and writes its part, and the stitch downloads every part and
 * uploads the result, or, joining by reference, reads the parts' headers and has S3 copy their bytes.
 * Pure: measured seconds and bytes in, seconds out, each term named.
 */
export interface ProjectionInput {
  /** Video chunks (Map items) and the measured seconds of one on one function. */
  chunks: number;
  chunkSeconds: number;
  /** Audio parts (their own Map items) and the measured seconds of the slowest. */
  audioParts: number;
  audioPartSeconds: number;
  /** The Map's MaxConcurrency; an inline Map never runs more than 40 at once, a Distributed one 10,000. */
  concurrency: number;
  mapMode: 'inline' | 'distributed';
  /** Measured: joining `chunks` parts by stream copy on local disk. */
  stitchSeconds: number;
  /** Bytes each chunk function reads from the sources (its byte ranges), and writes (its part). */
  sourceBytesPerChunk: number;
  chunkBytes: number;
  audioPartBytes: number;
  /** The stitched file. */
  outputBytes: number;
  /** Per item: the Map starting a child and the Lambda invocation (assumption, seconds). */
  invocationSeconds: number;
  /** Once, in the first wave: a function's init (runtime, bundle, ffmpeg layer) (assumption, seconds). */
  coldStartSeconds: number;
  /** One function's S3 throughput, bytes per second, for reads and for writes (assumption). */
  transferBytesPerSecond: number;
  /** Validate, Probe, Plan and Finalize with their state transitions (assumption, seconds). */
  fixedStepsSeconds: number;
  /**
   * The stitch by reference (pipeline/reference-stitch.ts) instead of download/join/upload: S3 assembles
   * the output from the parts' byte ranges, the function moves only headers and audio.
   */
  referenceStitch?: ReferenceStitchInput;
}

export interface ReferenceStitchInput {
  /** Requests per part to find and read its ftyp and moov (HeadObject + ranged GETs). */
  headerRequestsPerPart: number;
  /** One small request's latency, and how many the function keeps in flight (assumptions). */
  requestSeconds: number;
  requestConcurrency: number;
  /** Measured: parsing the parts' moovs and building the joined header and the part plan. */
  moovBuildSeconds: number;
  /** Bytes the function uploads: the header, the audio, and any range read back to fill a small part. */
  uploadBytes: number;
  /** UploadPartCopy calls, the seconds of one (server-side: an assumption) and how many run at once. */
  copyParts: number;
  copySeconds: number;
  copyConcurrency: number;
  /** CompleteMultipartUpload (assumption). */
  completeSeconds: number;
}

export interface Projection {
  seconds: number;
  waves: number;
  concurrency: number;
  terms: Array<{ name: string; seconds: number }>;
}

/** The Map's effective ceiling: its MaxConcurrency within the Step Functions quota of its mode. */
export function mapCeiling(concurrency: number, mode: 'inline' | 'distributed'): number {
  const quota = mode === 'inline' ? SFN_QUOTAS.inlineMapConcurrency : SFN_QUOTAS.distributedMapConcurrency;
  return Math.max(1, Math.min(concurrency > 0 ? concurrency : quota, quota));
}

export function projectRender(p: ProjectionInput): Projection {
  const ceiling = mapCeiling(p.concurrency, p.mapMode);
  const waves = Math.ceil(p.chunks / ceiling);
  const audioWaves = Math.ceil(p.audioParts / ceiling);
  const rate = p.transferBytesPerSecond;
  const chunkItem = p.invocationSeconds + p.sourceBytesPerChunk / rate + p.chunkSeconds + p.chunkBytes / rate;
  const audioItem = p.invocationSeconds + p.audioPartSeconds + p.audioPartBytes / rate;
  // Chunks and audio parts run side by side (the Parallel state); the job waits for the slower.
  const video = p.coldStartSeconds + waves * chunkItem;
  const audio = p.audioParts ? p.coldStartSeconds + audioWaves * audioItem : 0;
  const download = (p.chunks * p.chunkBytes + p.audioParts * p.audioPartBytes) / rate;
  const upload = p.outputBytes / rate;
  const ref = p.referenceStitch;
  const refTerms = ref
    ? [
        {
          name: `stitch: part headers (${ref.headerRequestsPerPart} requests per part, ${ref.requestConcurrency} at once)`,
          seconds:
            Math.ceil((p.chunks * ref.headerRequestsPerPart) / ref.requestConcurrency) * ref.requestSeconds,
        },
        { name: 'stitch: download the audio parts', seconds: (p.audioParts * p.audioPartBytes) / rate },
        { name: 'stitch: build the joined header (measured)', seconds: ref.moovBuildSeconds },
        { name: 'stitch: upload header and audio', seconds: ref.uploadBytes / rate },
        {
          name: `stitch: UploadPartCopy × ${ref.copyParts} (server-side, ${ref.copyConcurrency} at once)`,
          seconds: Math.ceil(ref.copyParts / ref.copyConcurrency) * ref.copySeconds,
        },
        { name: 'stitch: CompleteMultipartUpload', seconds: ref.completeSeconds },
      ]
    : [];
  const stitch = ref
    ? p.invocationSeconds + refTerms.reduce((n, t) => n + t.seconds, 0)
    : p.invocationSeconds + download + p.stitchSeconds + upload;
  const terms = [
    { name: 'fixed steps (validate, probe, plan, finalize)', seconds: p.fixedStepsSeconds },
    { name: 'cold start (first wave)', seconds: p.coldStartSeconds },
    { name: `chunk waves: ${waves} × one item`, seconds: waves * chunkItem },
    { name: '  of which: invocation', seconds: waves * p.invocationSeconds },
    { name: '  of which: source byte ranges read', seconds: (waves * p.sourceBytesPerChunk) / rate },
    { name: '  of which: render', seconds: waves * p.chunkSeconds },
    { name: '  of which: part upload', seconds: (waves * p.chunkBytes) / rate },
    { name: `audio parts: ${audioWaves} wave(s), in parallel with the chunks`, seconds: audio },
    ...(ref
      ? refTerms
      : [
          { name: 'stitch: download the parts', seconds: download },
          { name: 'stitch: join by stream copy', seconds: p.stitchSeconds },
          { name: 'stitch: upload the result', seconds: upload },
        ]),
  ];
  return {
    seconds: p.fixedStepsSeconds + Math.max(video, audio) + stitch,
    waves,
    concurrency: ceiling,
    terms,
  };
}
