import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clip, Edit } from '../edit/schema.js';
import { describeLimit, resolveLimits, type EditLimits } from '../edit/limits.js';
import { CutlineError } from '../errors.js';
import { assertPictureSize, probeFile, type ProbeCache, type ProbeResult } from '../media/probe.js';
import type { SourceResolver } from '../media/sources.js';
import type { CompileInput } from '../render/compile.js';
import { fpsString, outputSpec, type Rational } from '../render/output-spec.js';
import { resolveTimeline, STILL_AUTO_SECONDS, type ResolvedTimeline } from '../render/timeline.js';
import type { MediaEntry } from '../render/visual.js';
import { parseCaptions, type Cue } from '../text/captions.js';
import { FontRegistry, fontFileStem, type FontFile } from '../text/fonts.js';
import { htmlDocument, htmlKey, type HtmlDocument } from '../html/document.js';
import { vectorDocument } from '../render/vector.js';
import { htmlRasterizer } from '../html/rasterize.js';
import { richTextDocument, richTextFace, richTextFrames, richTextSequenceKey } from '../render/rich-text.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import { assertSpeechResolved, spokenCaptionSrc } from '../providers/speech-assets.js';
import { assertGenerationResolved } from '../providers/generated-assets.js';

interface SourceRef {
  src: string;
  at: string;
  kind: 'media' | 'captions' | 'font';
}

/** Every source an edit reads, once per distinct src, with the JSON path of its first use. */
export function collectSources(edit: Edit): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  const add = (src: string, at: string, kind: SourceRef['kind']) => {
    const key = `${kind}:${src}`;
    if (!seen.has(key)) seen.set(key, { src, at, kind });
  };
  if (edit.timeline.soundtrack) add(edit.timeline.soundtrack.src, 'timeline.soundtrack.src', 'media');
  edit.timeline.fonts?.forEach((f, i) => add(f.src, `timeline.fonts[${i}].src`, 'font'));
  edit.timeline.tracks.forEach((track, t) =>
    track.clips.forEach((clip, c) => {
      const a = clip.asset;
      const at = `timeline.tracks[${t}].clips[${c}].asset.src`;
      if (a.type === 'video' || a.type === 'image' || a.type === 'audio' || a.type === 'luma')
        add(a.src, at, 'media');
      // "auto" and "alias://name" name no file: the job transcribes speech (providers/edit-speech.ts).
      if ((a.type === 'caption' || a.type === 'rich-caption') && !spokenCaptionSrc(a.src))
        add(a.src, at, 'captions');
    }),
  );
  return [...seen.values()];
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Draws every html, svg and shape asset of the edit (one browser for all) and adds each image as a source
 * under its key; a rich-text animated letter by letter is drawn at every frame of its animation and added
 * as one image sequence (a PNG-in-MOV clip with alpha), under its sequence key.
 */
async function rasterizeHtml(
  edit: Edit,
  timeline: ResolvedTimeline,
  media: Map<string, MediaEntry>,
  fonts: FontRegistry,
): Promise<void> {
  const frame = outputSpec(edit.output);
  const sequences: HtmlDocument[][] = [];
  const docs = timeline.tracks.flat().flatMap(({ clip: c, at, length }) => {
    if (c.asset.type === 'html') return [htmlDocument(c.asset, frame)];
    if (c.asset.type === 'svg' || c.asset.type === 'shape') return [vectorDocument(c.asset, c, frame)];
    if (c.asset.type !== 'rich-text') return [];
    const asset = c.asset;
    const face = atPath(`${at}.asset`, () => richTextFace(asset, fonts));
    const frames = richTextFrames(asset, c, frame, face, frame.fps, length);
    if (!frames) return [richTextDocument(asset, c, frame, face)];
    sequences.push(frames);
    return frames;
  });
  if (!docs.length) return;
  const images = await htmlRasterizer().rasterize(docs);
  for (const [key, path] of images) media.set(key, { path, probe: await probeFile(path, key) });
  for (const frames of sequences) {
    const key = richTextSequenceKey(frames);
    const path = await imageSequence(
      frames.map((d) => images.get(htmlKey(d))!),
      frame.fps,
      key,
    );
    media.set(key, { path, probe: await probeFile(path, key) });
  }
}

/**
 * PNG frames → one PNG-in-MOV clip at `fps` (alpha kept), cached by key and by the drawn images it is made
 * of (their names carry what drew them), so a clip made from other drawings is never reused.
 */
async function imageSequence(pngs: readonly string[], fps: Rational, key: string): Promise<string> {
  const dir = join(tmpdir(), 'cutline-rich-text');
  const of = createHash('sha256').update(pngs.join('\n')).digest('hex').slice(0, 12);
  const out = join(dir, `${key.slice(key.indexOf(':') + 1)}.${of}.mov`);
  if (existsSync(out)) return out;
  await mkdir(dir, { recursive: true });
  const list = join(dir, `${key.slice(key.indexOf(':') + 1)}.${process.pid}.txt`);
  const step = fps.den / fps.num;
  await writeFile(list, pngs.map((p) => `file '${p.replace(/'/g, "'\\''")}'\nduration ${step}\n`).join(''));
  const tmp = `${out}.${process.pid}.tmp.mov`;
  try {
    await runFfmpeg([
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-vf',
      `fps=${fpsString(fps)}`,
      '-frames:v',
      String(pngs.length),
      '-c:v',
      'png',
      '-pix_fmt',
      'rgba',
      tmp,
    ]);
    await rename(tmp, out);
  } finally {
    await rm(list, { force: true });
  }
  return out;
}

/** Runs `fn`; a CutlineError it throws is re-reported at `at` (an unknown font family, at its clip). */
function atPath<T>(at: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof CutlineError)) throw err;
    const details = err.details.length
      ? err.details.map((d) => ({ path: `${at}.${d.path}`, message: d.message }))
      : [{ path: at, message: err.message }];
    throw new CutlineError(err.code, `${details[0]!.path}: ${details[0]!.message}`, details);
  }
}

export interface PrepareOptions {
  resolver: SourceResolver;
  limits?: Partial<EditLimits>;
  /** Probe results from an earlier step, by src: such sources are not probed again. */
  probes?: ReadonlyMap<string, ProbeResult>;
  /** Probe results from an earlier run, by the file (the CLI's); still checked against today's limits. */
  probeCache?: ProbeCache;
}

async function probeSource(path: string, at: string, cache: ProbeCache | undefined): Promise<ProbeResult> {
  const kept = await cache?.get(path);
  if (kept) {
    assertPictureSize(kept, at);
    return kept;
  }
  const probe = await probeFile(path, at);
  await cache?.set(path, probe);
  return probe;
}

/** The I/O before compiling: resolve and probe every source, read captions and fonts, place the clips. */
export async function prepareRender(edit: Edit, opts: PrepareOptions): Promise<CompileInput> {
  assertSpeechResolved(edit);
  assertGenerationResolved(edit);
  const limits = resolveLimits(opts.limits);
  const refs = collectSources(edit);
  const media = new Map<string, MediaEntry>();
  const captions = new Map<string, Cue[]>();
  const fontFiles: FontFile[] = [];
  await mapLimit(refs, 4, async (ref) => {
    if (ref.kind === 'media') {
      // ffmpeg reads media where it lies (a loopback range URL in the platform): nothing is downloaded.
      const r = opts.resolver;
      const path = await (r.media ? r.media(ref.src, ref.at) : r.resolve(ref.src, ref.at));
      media.set(ref.src, {
        path,
        probe: opts.probes?.get(ref.src) ?? (await probeSource(path, ref.at, opts.probeCache)),
      });
      return;
    }
    const path = await opts.resolver.resolve(ref.src, ref.at);
    if (ref.kind === 'captions') {
      try {
        captions.set(ref.src, parseCaptions(await readFile(path, 'utf8')));
      } catch (err) {
        if (err instanceof CutlineError) {
          throw new CutlineError(err.code, `${ref.at}: ${err.message}`, [
            { path: ref.at, message: err.message },
          ]);
        }
        throw err;
      }
    } else fontFiles.push({ path, alias: fontFileStem(ref.src) });
  });
  for (const ref of refs) {
    const bytes = media.get(ref.src)?.probe.bytes ?? null;
    if (ref.kind === 'media' && bytes !== null && bytes > limits.maxSourceBytes) {
      const message = `source is ${bytes} bytes; the limit is ${describeLimit('maxSourceBytes', limits.maxSourceBytes)}`;
      throw new CutlineError('LIMIT_EXCEEDED', `${ref.at}: ${message}`, [{ path: ref.at, message }]);
    }
  }
  const fonts = fontFiles.length ? FontRegistry.builtin().withFiles(fontFiles) : FontRegistry.builtin();
  const intrinsic = (clip: Clip): number | null => {
    const a = clip.asset;
    if (a.type === 'video' || a.type === 'audio' || a.type === 'luma') {
      const d = media.get(a.src)?.probe.durationSeconds;
      return d ? (d - (a.trim ?? 0)) / ('speed' in a ? (a.speed ?? 1) : 1) : null;
    }
    if (a.type === 'caption' || a.type === 'rich-caption') {
      const cues = captions.get(a.src) ?? [];
      return cues.length ? Math.max(...cues.map((c) => c.end)) : null;
    }
    return STILL_AUTO_SECONDS;
  };
  const timeline = resolveTimeline(edit, intrinsic, limits.maxDurationSeconds);
  // After the timeline: an animation's length depends on its clip's (stills' "auto" lengths need no image).
  await rasterizeHtml(edit, timeline, media, fonts);
  return { edit, timeline, spec: outputSpec(edit.output), media, captions, fonts };
}
