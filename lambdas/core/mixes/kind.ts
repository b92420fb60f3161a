import type { Edit } from '../edit/schema.js';
import { parseEdit, zodIssues } from '../intake/parse-edit.js';
import { validationError } from '../errors.js';
import type { ExpandContext, JobKind, Rendition } from '../jobs/types.js';
import { MixRequest, type MixClip } from './schema.js';
import { pickVariations } from './variations.js';

export function parseMixRequest(body: unknown): MixRequest {
  const parsed = MixRequest.safeParse(body, { reportInput: true });
  if (!parsed.success) throw validationError(zodIssues(parsed.error));
  return parsed.data;
}

const clipRef = (c: MixClip) => (typeof c === 'string' ? { src: c } : c);
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Clip index per group for every variation, in output order. */
export function mixSequences(req: MixRequest): number[][] {
  if (req.mode === 'manual') return req.sequences!;
  return pickVariations(
    req.groups.map((g) => g.clips.length),
    req.count!,
    req.seed ?? 1,
  );
}

export interface PlacedClip {
  group: string;
  index: number;
  src: string;
  trim: number;
  length: number;
  at: string;
}

/**
 * One variation as an ordinary edit: its clips back to back on one track (overlapping by `crossfade`,
 * which the compiler renders as a dissolve), fitted to the shared output (`fit: crop` fills the frame
 * whatever the clip's size; the output fps resamples every clip), the soundtrack under it, and the
 * variation's title and source list in the container's metadata.
 */
export function variationEdit(req: MixRequest, clips: readonly PlacedClip[], n: number): Edit {
  const cf = req.crossfade ?? 0;
  let t = 0;
  const timelineClips = clips.map((c, i) => {
    const start = round3(t - (i > 0 ? cf : 0));
    t = start + c.length;
    return {
      asset: { type: 'video', src: c.src, ...(c.trim ? { trim: c.trim } : {}) },
      start,
      length: c.length,
      fit: 'crop',
    };
  });
  const out = req.output ?? {};
  return parseEdit({
    timeline: {
      background: '#000000',
      ...(req.soundtrack ? { soundtrack: req.soundtrack } : {}),
      tracks: [{ clips: timelineClips }],
    },
    output: {
      format: out.format ?? 'mp4',
      ...(out.size ? { size: out.size } : { resolution: out.resolution ?? 'hd' }),
      ...(out.aspectRatio ? { aspectRatio: out.aspectRatio } : {}),
      ...(out.fps ? { fps: out.fps } : {}),
      ...(out.quality ? { quality: out.quality } : {}),
      ...(out.mute ? { mute: true } : {}),
      metadata: {
        title: `${req.title ?? 'Mix'} — variation ${n}`,
        comment: `sources: ${clips.map((c) => c.src).join(', ')}`,
      },
    },
  });
}

/** The length each clip contributes: `length`, or what the source has after `trim` (probed). */
async function placeClip(req: MixRequest, g: number, i: number, ctx: ExpandContext): Promise<PlacedClip> {
  const ref = clipRef(req.groups[g]!.clips[i]!);
  const at = `groups[${g}].clips[${i}]`;
  const srcAt = typeof req.groups[g]!.clips[i] === 'string' ? at : `${at}.src`;
  const probe = await ctx.probe(ref.src, srcAt);
  if (!probe.hasVideo || probe.isImage || !probe.durationSeconds)
    throw validationError([{ path: srcAt, message: 'must be a video with a known duration' }]);
  const trim = ref.trim ?? 0;
  const left = probe.durationSeconds - trim;
  if (left <= 0)
    throw validationError([
      { path: `${at}.trim`, message: `is past the end of the clip (${probe.durationSeconds} s)` },
    ]);
  if (ref.length !== undefined && ref.length > left + 0.02)
    throw validationError([
      { path: `${at}.length`, message: `is longer than the clip after trim (${round3(left)} s)` },
    ]);
  return { group: req.groups[g]!.name, index: i, src: ref.src, trim, length: round3(ref.length ?? left), at };
}

export const mixKind: JobKind<MixRequest> = {
  type: 'mix',
  parse: parseMixRequest,
  sources: (req) => [
    ...req.groups.flatMap((g, gi) =>
      g.clips.map((c, ci) =>
        typeof c === 'string'
          ? { src: c, at: `groups[${gi}].clips[${ci}]` }
          : { src: c.src, at: `groups[${gi}].clips[${ci}].src` },
      ),
    ),
    ...(req.soundtrack ? [{ src: req.soundtrack.src, at: 'soundtrack.src' }] : []),
  ],
  callback: (req) => req.callback,
  callbackEvents: (req) => req.callbackEvents,
  expand: async (req, ctx): Promise<Rendition[]> => {
    const placed = new Map<string, PlacedClip>();
    const place = async (g: number, i: number) => {
      const key = `${g}:${i}`;
      if (!placed.has(key)) placed.set(key, await placeClip(req, g, i, ctx));
      return placed.get(key)!;
    };
    const renditions: Rendition[] = [];
    const cf = req.crossfade ?? 0;
    for (const [v, seq] of mixSequences(req).entries()) {
      const clips: PlacedClip[] = [];
      for (const [g, i] of seq.entries()) clips.push(await place(g, i));
      const short = clips.find((c) => cf > 0 && c.length < 2 * cf);
      if (short)
        throw validationError([
          {
            path: 'crossfade',
            message: `is more than half of ${short.at} (${short.length} s); shorten the crossfade`,
          },
        ]);
      const n = v + 1;
      const duration = round3(clips.reduce((s, c) => s + c.length, 0) - cf * (clips.length - 1));
      renditions.push({
        name: `variation-${String(n).padStart(3, '0')}`,
        edit: variationEdit(req, clips, n),
        meta: {
          variation: n,
          sources: clips.map((c) => c.src),
          clips: clips.map((c) => ({
            group: c.group,
            index: c.index,
            src: c.src,
            trim: c.trim,
            length: c.length,
          })),
          durationSeconds: duration,
        },
      });
    }
    return renditions;
  },
};
