import { readFile } from 'node:fs/promises';
import type { Edit, FocusKeyframe } from '../edit/schema.js';
import { parseEdit, zodIssues } from '../intake/parse-edit.js';
import { CutlineError, validationError } from '../errors.js';
import type { ExpandContext, JobKind, Rendition } from '../jobs/types.js';
import { parseTranscript, type Word } from '../text/transcript.js';
import { providerSettings } from '../providers/settings.js';
import { callerFor, unmeteredCaller } from '../providers/call.js';
import { tokensOf } from '../providers/cost.js';
import { heuristicRanker, rankerFor } from '../providers/ranking/index.js';
import {
  NO_TRANSCRIBER,
  pollTranscription,
  transcribeFile,
  type TranscriptRef,
} from '../providers/transcription/index.js';
import { detectFaces, NO_FACE_DETECTOR, pollFaces, readFaceTrack } from '../providers/faces/index.js';
import { ANALYSIS_FPS, audioSignals, frameDifferences, readGrayFrames } from './analyze.js';
import { faceFocus } from './face-focus.js';
import { autoFocus } from './reframe.js';
import { ClipsRequest, followsFaces, type ClipAspectRatio } from './schema.js';
import { sceneCutsFromMotion, selectSegments, type Segment } from './select.js';

/**
 * Caption safe areas per aspect ratio (fractions of the frame): vertical formats keep captions above the
 * bottom band where social apps draw their buttons and descriptions, and off the sides.
 */
export const CAPTION_SAFE_AREA: Record<ClipAspectRatio, { bottom: number; horizontal: number }> = {
  '9:16': { bottom: 0.2, horizontal: 0.08 },
  '4:5': { bottom: 0.12, horizontal: 0.06 },
  '1:1': { bottom: 0.1, horizontal: 0.06 },
  '16:9': { bottom: 0.08, horizontal: 0.05 },
};

/** Validates a clips request; refuses clearly what this deployment cannot do (no face detector, no transcriber). */
export function parseClipsRequest(body: unknown): ClipsRequest {
  const parsed = ClipsRequest.safeParse(body, { reportInput: true });
  if (!parsed.success) throw validationError(zodIssues(parsed.error));
  const req = parsed.data;
  if (followsFaces(req.reframe) && providerSettings().faces === 'none')
    throw new CutlineError('NOT_SUPPORTED', `reframe: ${NO_FACE_DETECTOR}`, [
      { path: 'reframe.mode', message: 'no face detector in this deployment; use "auto" or "center"' },
    ]);
  if (req.captions?.transcribe && providerSettings().transcriber === 'none')
    throw new CutlineError('NOT_SUPPORTED', `captions.transcribe: ${NO_TRANSCRIBER}; or give captions.src`, [
      { path: 'captions.transcribe', message: 'no transcriber in this deployment; give captions.src' },
    ]);
  return req;
}

/** The prepare item that transcribes the source. */
export const TRANSCRIPT_ITEM = 'transcript';
/** The prepare item that detects the source's faces (reframe mode "face"). */
export const FACES_ITEM = 'faces';

const ratioName = (r: string) => r.replace(':', 'x');
const round3 = (v: number) => Math.round(v * 1000) / 1000;

async function readWords(src: string, at: string, ctx: ExpandContext): Promise<Word[] | undefined> {
  const text = await readFile(await ctx.localPath(src, at), 'utf8');
  if (!/^\uFEFF?\s*[[{]/.test(text)) return undefined; // SRT/VTT: cue times only, no word timings
  try {
    return parseTranscript(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof CutlineError)
      throw new CutlineError(err.code, `${at}: ${err.message}`, [{ path: at, message: err.message }]);
    throw err;
  }
}

/** A clip's title from what is said in it: its opening words (the local ranker's title; an LLM's in AWS). */
export function spokenTitle(
  words: readonly Word[] | undefined,
  seg: { start: number; end: number },
): string | undefined {
  const said = (words ?? []).filter((w) => w.start >= seg.start && w.end <= seg.end).map((w) => w.text);
  if (!said.length) return undefined;
  const first = said
    .slice(0, 6)
    .join(' ')
    .replace(/[.,;:]+$/, '');
  const title = first.charAt(0).toUpperCase() + first.slice(1);
  return said.length > 6 ? `${title}…` : title;
}

interface Picked {
  start: number;
  end: number;
  title?: string;
  segment?: Segment;
}

/** The clips: explicit ones (checked against the source), or chosen from measured signals. */
async function pickClips(
  req: ClipsRequest,
  ctx: ExpandContext,
  duration: number,
  words?: Word[],
): Promise<Picked[]> {
  if (req.clips) {
    return req.clips.map((c, i) => {
      // Half a frame of slack: container durations are rounded.
      if (c.start >= duration)
        throw validationError([
          { path: `clips[${i}].start`, message: `is after the end of the source (${duration} s)` },
        ]);
      if (c.end > duration + 0.02)
        throw validationError([
          { path: `clips[${i}].end`, message: `is after the end of the source (${duration} s)` },
        ]);
      return { start: c.start, end: Math.min(c.end, duration), title: c.title };
    });
  }
  const length = req.length!;
  if (length > duration)
    throw validationError([{ path: 'length', message: `is longer than the source (${duration} s)` }]);
  const path = await (ctx.mediaPath ?? ctx.localPath)(req.src, 'src');
  const probe = await ctx.probe(req.src, 'src');
  const gray = await readGrayFrames(path, probe, 'src');
  const motion = frameDifferences(gray);
  const audio = probe.hasAudio
    ? await audioSignals(path, 'src', duration, probe.format)
    : { loudness: [], silences: [] };
  const segments = selectSegments(
    {
      duration,
      motionStep: 1 / ANALYSIS_FPS,
      motion,
      sceneCuts: sceneCutsFromMotion(motion, 1 / ANALYSIS_FPS),
      ...audio,
      words,
    },
    // More candidates than asked for when a model ranks them (it sees three per clip).
    { count: req.count! * (words?.length && rankerFor().name !== 'heuristic' ? 3 : 1), length },
  );
  if (!segments.length)
    throw validationError([{ path: 'length', message: `no segment of about ${length} s fits the source` }]);
  const ranker = words?.length ? rankerFor() : heuristicRanker;
  if (ranker.name === 'heuristic')
    return segments
      .slice(0, req.count!)
      .map((s) => ({ start: s.start, end: s.end, segment: s, title: spokenTitle(words, s) }));
  // An LLM reads what each candidate says and picks, titles and explains the best (the manifest keeps why).
  const candidates = segments.map((seg, index) => ({
    index,
    start: seg.start,
    end: seg.end,
    score: seg.score,
    text: words!
      .filter((w) => w.start >= seg.start && w.end <= seg.end)
      .map((w) => w.text)
      .join(' '),
  }));
  // Checked against the tenant's budget before the model is asked: the prompt, and at most 1000 tokens back.
  const { ranked } = await callerFor(ctx)(
    ranker.name,
    tokensOf(JSON.stringify(candidates).length) + 1000,
    () => ranker.rank(candidates, req.count!),
    (r) => r.tokens,
  );
  return ranked
    .slice(0, req.count!)
    .map((r) => {
      const seg = segments[r.index]!;
      return {
        start: seg.start,
        end: seg.end,
        title: r.title,
        segment: { ...seg, score: r.score, why: { ...seg.why, reason: r.reason } },
      };
    })
    .sort((a, b) => a.start - b.start);
}

async function focusFor(
  req: ClipsRequest,
  ctx: ExpandContext,
  clip: Picked,
): Promise<{ x: number; y: number } | FocusKeyframe[] | undefined> {
  if (followsFaces(req.reframe)) return faceFocus(readFaceTrack(ctx.prepared.get(FACES_ITEM)), clip);
  const mode = req.reframe?.mode ?? 'center';
  if (mode === 'center') return undefined;
  if (mode === 'focus') return req.reframe!.focus;
  const probe = await ctx.probe(req.src, 'src');
  const gray = await readGrayFrames(await (ctx.mediaPath ?? ctx.localPath)(req.src, 'src'), probe, 'src', {
    start: clip.start,
    length: clip.end - clip.start,
  });
  return gray.frames.length ? autoFocus(gray) : undefined;
}

/** One clip × one aspect ratio as an ordinary edit (every feature is in the edit format). */
export function clipEdit(
  req: ClipsRequest,
  clip: Picked,
  index: number,
  ratio: ClipAspectRatio,
  focus: { x: number; y: number } | FocusKeyframe[] | undefined,
  /** The captions' source: captions.src, or the transcript the job made (captions.transcribe). */
  captionSrc: string | undefined = req.captions?.src,
): Edit {
  const length = round3(clip.end - clip.start);
  const capture = round3(Math.min(1, length / 2));
  const out = req.output ?? {};
  const title = clip.title ?? `Clip ${index}`;
  const tracks: unknown[] = [];
  if (req.captions && captionSrc) {
    tracks.push({
      clips: [
        {
          asset: {
            type: 'caption',
            src: captionSrc,
            trim: clip.start,
            style: req.captions.style ?? 'clean',
            ...(req.captions.highlight ? { highlight: req.captions.highlight } : {}),
            margin: CAPTION_SAFE_AREA[ratio],
          },
          start: 0,
          length,
        },
      ],
    });
  }
  tracks.push({
    clips: [
      {
        asset: { type: 'video', src: req.src, trim: clip.start, ...(focus ? { focus } : {}) },
        start: 0,
        length,
        fit: req.fit ?? 'crop',
      },
    ],
  });
  return parseEdit({
    timeline: { background: '#000000', tracks },
    output: {
      format: out.format ?? 'mp4',
      resolution: out.resolution ?? 'hd',
      aspectRatio: ratio,
      ...(out.fps ? { fps: out.fps } : {}),
      ...(out.quality ? { quality: out.quality } : {}),
      ...(out.mute ? { mute: true } : {}),
      poster: { capture },
      thumbnail: { capture, scale: 0.25 },
      metadata: { title, comment: `cutline clip ${index} of ${req.src}, ${clip.start}–${clip.end} s` },
    },
  });
}

export const clipsKind: JobKind<ClipsRequest> = {
  type: 'clips',
  parse: parseClipsRequest,
  sources: (req) => [
    { src: req.src, at: 'src' },
    ...(req.captions?.src ? [{ src: req.captions.src, at: 'captions.src' }] : []),
    ...(req.transcript ? [{ src: req.transcript, at: 'transcript' }] : []),
  ],
  callback: (req) => req.callback,
  callbackEvents: (req) => req.callbackEvents,
  // captions.transcribe: the source is transcribed first (once per content; see providers/transcription);
  // reframe "face": its faces are detected first (providers/faces; Rekognition is polled by the machine).
  prepareItems: (req) => [
    ...(req.captions?.transcribe ? [{ id: TRANSCRIPT_ITEM }] : []),
    ...(followsFaces(req.reframe) ? [{ id: FACES_ITEM }] : []),
  ],
  async prepareItem(req, item, ctx) {
    const probe = await ctx.probe(req.src, 'src');
    const job = { tenantId: ctx.tenantId, jobId: ctx.jobId, scratchDir: ctx.scratchDir };
    const path = await ctx.localPath(req.src, 'src');
    // Explicit clips: only their spans are sampled locally (auto clips are chosen after this item). The
    // CLI's standalone run has no platform stores (no publishers): nothing to meter the detection on.
    if (item.id === FACES_ITEM)
      return detectFaces(
        { ...job, caller: ctx.publishers ? callerFor(job) : unmeteredCaller },
        path,
        probe,
        req.clips?.map((c) => ({ start: c.start, end: c.end })),
      );
    return transcribeFile(job, path, probe.durationSeconds ?? 0);
  },
  pollItem: (_req, item, state, ctx) => {
    const job = { tenantId: ctx.tenantId, jobId: ctx.jobId, scratchDir: ctx.scratchDir };
    return item.id === FACES_ITEM ? pollFaces(job, state) : pollTranscription(job, state);
  },
  expand: async (req, ctx): Promise<Rendition[]> => {
    const probe = await ctx.probe(req.src, 'src');
    if (!probe.hasVideo || probe.isImage || !probe.durationSeconds)
      throw validationError([{ path: 'src', message: 'must be a video with a known duration' }]);
    const transcribed = ctx.prepared.get(TRANSCRIPT_ITEM) as TranscriptRef | undefined;
    if (req.captions?.transcribe && !transcribed)
      throw new CutlineError('RENDER_FAILED', 'captions.transcribe: the transcription did not run');
    const captionSrc = transcribed?.src ?? req.captions?.src;
    const words = req.transcript
      ? await readWords(req.transcript, 'transcript', ctx)
      : captionSrc
        ? await readWords(captionSrc, transcribed ? 'captions.transcribe' : 'captions.src', ctx)
        : undefined;
    const clips = await pickClips(req, ctx, probe.durationSeconds, words);
    const ratios = req.aspectRatios ?? ['9:16'];
    const renditions: Rendition[] = [];
    for (const [i, clip] of clips.entries()) {
      const n = i + 1;
      const focus = await focusFor(req, ctx, clip);
      for (const ratio of ratios) {
        renditions.push({
          name: `clip-${String(n).padStart(2, '0')}-${ratioName(ratio)}`,
          edit: clipEdit(req, clip, n, ratio, focus, captionSrc),
          meta: {
            clip: n,
            start: clip.start,
            end: clip.end,
            title: clip.title ?? `Clip ${n}`,
            aspectRatio: ratio,
            reframe: followsFaces(req.reframe) ? 'face' : (req.reframe?.mode ?? 'center'),
            ...(clip.segment ? { score: clip.segment.score, why: clip.segment.why } : {}),
            ...(transcribed
              ? {
                  transcript: {
                    src: transcribed.src,
                    engine: transcribed.engine,
                    cached: transcribed.cached,
                  },
                }
              : {}),
          },
        });
      }
    }
    return renditions;
  },
};
