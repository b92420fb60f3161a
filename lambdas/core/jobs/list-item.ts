import type { Job, JobOutput } from './model.js';
import type { JobType } from './types.js';

const KIND_TITLES: Record<JobType, string> = {
  render: 'Render',
  clips: 'Clips',
  mix: 'Mix',
  project: 'Project',
};

/** Longest derived title, in characters: a list row, not the whole text. */
export const TITLE_MAX = 60;

/** Asset types whose `text` is what the viewer reads on screen. */
const TEXT_ASSETS = new Set(['title', 'text', 'rich-text']);
/** Asset types whose `src` is a media file the edit is made of. */
const MEDIA_ASSETS = new Set(['video', 'image', 'audio', 'luma']);

/**
 * What a list calls a job: the template's, project's or dropped file's name it came from; else, for an
 * edit (Shotstack's edit has no name field), what a person recognises in it: its first on-screen text,
 * else its first media file's name; a clips job, its source's file name; else its kind.
 */
export const jobTitle = (job: Pick<Job, 'title' | 'type' | 'request'>): string =>
  job.title ?? derivedTitle(job.type, job.request) ?? KIND_TITLES[job.type];

/** A title from the stored (validated) request, or undefined when it has nothing recognisable. */
export function derivedTitle(type: JobType, request: unknown): string | undefined {
  if (type === 'clips') return fileName(field(request, 'src'));
  if (type !== 'render') return undefined;
  const assets = clipsOf(request).map((c) => field(c, 'asset'));
  for (const a of assets)
    if (TEXT_ASSETS.has(String(field(a, 'type')))) {
      const text = shorten(String(field(a, 'text') ?? ''));
      if (text) return text;
    }
  const soundtrack = field(field(request, 'timeline'), 'soundtrack');
  for (const a of [...assets.filter((x) => MEDIA_ASSETS.has(String(field(x, 'type')))), soundtrack]) {
    const name = fileName(field(a, 'src'));
    if (name) return name;
  }
  return undefined;
}

/** The edit's clips in reading order: tracks top to bottom, clips as written. */
function clipsOf(edit: unknown): unknown[] {
  const tracks = field(field(edit, 'timeline'), 'tracks');
  if (!Array.isArray(tracks)) return [];
  return tracks.flatMap((t) => {
    const clips = field(t, 'clips');
    return Array.isArray(clips) ? clips : [];
  });
}

const field = (o: unknown, key: string): unknown =>
  o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;

/** Whitespace (and rich text's markup-free line breaks) collapsed to single spaces, cut with an ellipsis. */
function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= TITLE_MAX ? one : `${one.slice(0, TITLE_MAX - 1).trimEnd()}\u2026`;
}

/**
 * A media URL's file name only: the last path segment, decoded, without query, fragment, host or the
 * folders above it (a presigned URL's signature or a bucket layout never reaches a list). `alias://`
 * and other names without a file yield undefined.
 */
function fileName(src: unknown): string | undefined {
  if (typeof src !== 'string') return undefined;
  let path: string;
  try {
    const url = new URL(src);
    if (url.protocol === 'alias:') return undefined;
    path = url.pathname;
  } catch {
    path = src.split(/[?#]/)[0]!;
  }
  const last = path.split('/').filter(Boolean).pop();
  if (!last) return undefined;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape: show it as written.
  }
  return shorten(name.split(/[\\/]/).pop()!) || undefined;
}

/**
 * The image a list shows for a job: its thumbnail (scaled down, so the smallest), else its poster, else
 * its first image output. A list of many jobs then loads small files where the job made them.
 */
export function thumbnailOutput(outputs: readonly JobOutput[] | undefined): JobOutput | undefined {
  for (const kind of ['thumbnail', 'poster', 'image'] as const) {
    const o = outputs?.find((x) => x.kind === kind);
    if (o) return o;
  }
  return undefined;
}
