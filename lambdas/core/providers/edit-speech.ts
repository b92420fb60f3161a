import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clip, Edit } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import type { Publishers } from './publish.js';
import type { Word } from '../text/transcript.js';
import { callerFor, type ProviderCaller } from './call.js';
import { AUTO_CAPTIONS } from './speech-assets.js';
import { captionAlias, captionAliasSources as aliasSources } from '../edit/caption-alias.js';
import {
  pollTranscription,
  transcribeFile,
  type TranscriptPending,
  type TranscriptRef,
} from './transcription/index.js';
import { requireVoice, voiceFor } from './voice/index.js';

/**
 * An edit's speech work, done before it renders: every text-to-speech asset is spoken by the voice
 * provider, and when a caption asks for `src: "auto"` every audible source is transcribed (each once per
 * content); a caption whose src is `alias://name` (Shotstack: the captions of that clip's speech) has the
 * named clip transcribed, or takes a text-to-speech clip's own words. Expansion then swaps the speech in as
 * audio and the captions' src for the words.
 */
/** What the items and expansion read (a job kind's ExpandContext fits it; declared here so imports point one way). */
export interface SpeechContext {
  tenantId: string;
  jobId: string;
  scratchDir: string;
  localPath(src: string, at: string): Promise<string>;
  probe(src: string, at: string): Promise<ProbeResult>;
  publishers?: Publishers;
  /** How provider calls are made (default: metered on the job and the tenant's month). */
  caller?: ProviderCaller;
  /** Transcribes one source (default: transcribeFile, its transcript kept in the platform's buckets). */
  transcribe?(
    mediaPath: string,
    durationSeconds: number,
    at: string,
  ): Promise<TranscriptRef | TranscriptPending>;
}
type ExpandContext = SpeechContext & { prepared: ReadonlyMap<string, unknown> };
type PrepareItem = { id: string };

type SpeechItem =
  | { id: string; kind: 'tts'; track: number; clip: number }
  | { id: string; kind: 'transcript'; src: string; at: string };

/** What a spoken text-to-speech asset left: its audio and its words (both srcs), and its length. */
interface SpokenRef {
  src: string;
  words: string;
  durationSeconds: number;
}

/** A caption (or rich-caption) whose src is "auto". */
const isAuto = (a: Clip['asset']) =>
  (a.type === 'caption' || a.type === 'rich-caption') && a.src === AUTO_CAPTIONS;

const assetAt = (t: number, c: number) => `timeline.tracks[${t}].clips[${c}].asset`;

function wantsAuto(edit: Edit): boolean {
  return edit.timeline.tracks.some((t) => t.clips.some((c) => isAuto(c.asset)));
}

/** The prepare items of an edit (pure). */
export function editSpeechItems(edit: Edit): PrepareItem[] {
  const items: SpeechItem[] = [];
  edit.timeline.tracks.forEach((t, ti) =>
    t.clips.forEach((c, ci) => {
      if (c.asset.type === 'text-to-speech')
        items.push({ id: `tts-${ti}-${ci}`, kind: 'tts', track: ti, clip: ci });
    }),
  );
  const seen = new Set<string>();
  const add = (src: string, at: string) => {
    if (seen.has(src)) return;
    seen.add(src);
    items.push({ id: `transcript-${seen.size}`, kind: 'transcript', src, at });
  };
  for (const a of aliasSources(edit)) {
    const named = edit.timeline.tracks[a.track]!.clips[a.clip]!.asset;
    // A text-to-speech clip's words come from its voice; a video or audio clip is transcribed.
    if (named.type === 'video' || named.type === 'audio') add(named.src, `${assetAt(a.track, a.clip)}.src`);
  }
  if (wantsAuto(edit)) {
    if (edit.timeline.soundtrack) add(edit.timeline.soundtrack.src, 'timeline.soundtrack.src');
    edit.timeline.tracks.forEach((t, ti) =>
      t.clips.forEach((c, ci) => {
        const a = c.asset;
        if ((a.type === 'video' || a.type === 'audio') && a.volume !== 0)
          add(a.src, `${assetAt(ti, ci)}.src`);
      }),
    );
  }
  return items as unknown as PrepareItem[];
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function publishers(ctx: SpeechContext, at: string) {
  if (!ctx.publishers)
    throw new CutlineError(
      'NOT_SUPPORTED',
      `${at}: text-to-speech and caption src "auto" run on the platform (cutline start, or the stack), which keeps the speech and transcripts they make; this renderer has no store for them`,
      [{ path: at, message: 'needs the platform' }],
    );
  return ctx.publishers;
}

/** Runs one item: speaks a text-to-speech asset, or transcribes one source (a wait when asynchronous). */
export async function runEditSpeechItem(edit: Edit, raw: PrepareItem, ctx: SpeechContext): Promise<unknown> {
  const item = raw as unknown as SpeechItem;
  const caller = ctx.caller ?? callerFor(ctx);
  const job = { tenantId: ctx.tenantId, jobId: ctx.jobId, scratchDir: ctx.scratchDir, caller };
  if (item.kind === 'transcript') {
    const probe = await ctx.probe(item.src, item.at);
    const path = await ctx.localPath(item.src, item.at);
    return ctx.transcribe
      ? ctx.transcribe(path, probe.durationSeconds ?? 0, item.at)
      : transcribeFile(job, path, probe.durationSeconds ?? 0);
  }
  const at = assetAt(item.track, item.clip);
  const asset = edit.timeline.tracks[item.track]?.clips[item.clip]?.asset;
  if (asset?.type !== 'text-to-speech')
    throw new CutlineError('RENDER_FAILED', `${at} is no longer a text-to-speech asset`);
  const pub = publishers(ctx, at);
  const voice = requireVoice(voiceFor(), at);
  // Polly's newscaster style is an SSML domain; espeak-ng speaks the words alike.
  const text =
    asset.newscaster && voice.name === 'polly'
      ? `<speak><amazon:domain name="news">${escapeXml(asset.text)}</amazon:domain></speak>`
      : asset.text;
  const dir = join(ctx.scratchDir, item.id);
  await mkdir(dir, { recursive: true });
  const speech = await caller(
    voice.name,
    text.length,
    () =>
      voice.synthesize(
        { text, voice: asset.voice, ...(asset.language ? { language: asset.language } : {}) },
        dir,
        at,
      ),
    (s) => s.characters,
  );
  const ext = speech.path.endsWith('.mp3') ? 'mp3' : 'wav';
  const src = await pub.publish(speech.path, `${item.id}.${ext}`);
  const wordsPath = join(dir, 'words.json');
  await writeFile(wordsPath, JSON.stringify({ engine: voice.name, words: speech.words }));
  const words = await pub.publish(wordsPath, `${item.id}.words.json`);
  return { src, words, durationSeconds: speech.durationSeconds } satisfies SpokenRef;
}

export const pollEditSpeechItem = (state: Record<string, string | number>, ctx: SpeechContext) =>
  pollTranscription({ tenantId: ctx.tenantId, jobId: ctx.jobId, scratchDir: ctx.scratchDir }, state);

async function readWords(src: string, at: string, ctx: ExpandContext): Promise<Word[]> {
  const json = JSON.parse(await readFile(await ctx.localPath(src, at), 'utf8')) as { words?: Word[] };
  return json.words ?? [];
}

/** A clip's words on the timeline: those inside its trimmed span, shifted to where it plays. */
function placed(words: readonly Word[], clip: Clip, trim: number): Word[] {
  const length = typeof clip.length === 'number' ? clip.length : Infinity;
  const start = typeof clip.start === 'number' ? clip.start : 0;
  return words
    .filter((w) => w.start >= trim && w.end <= trim + length)
    .map((w) => ({ text: w.text, start: round3(start + w.start - trim), end: round3(start + w.end - trim) }));
}
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** The edit with its speech resolved: text-to-speech → audio, caption "auto" → the timeline's words. */
export async function applyEditSpeech(edit: Edit, ctx: ExpandContext): Promise<Edit> {
  const items = editSpeechItems(edit) as unknown as SpeechItem[];
  if (!items.length) return edit;
  const got = <T>(id: string) => {
    const v = ctx.prepared.get(id) as T | undefined;
    if (!v) throw new CutlineError('RENDER_FAILED', `the edit's speech item ${id} did not run`);
    return v;
  };
  const transcripts = new Map<string, TranscriptRef>();
  for (const it of items) if (it.kind === 'transcript') transcripts.set(it.src, got<TranscriptRef>(it.id));
  const timeline: Word[] = [];
  const aliases = aliasSources(edit);
  /** Each named clip's words, placed on the timeline (alias captions show only those). */
  const byClip = new Map<string, Word[]>();
  const named = (ti: number, ci: number) =>
    aliases.find((a) => a.track === ti && a.clip === ci) !== undefined;
  if (edit.timeline.soundtrack && transcripts.has(edit.timeline.soundtrack.src))
    timeline.push(
      ...(await readWords(
        transcripts.get(edit.timeline.soundtrack.src)!.src,
        'timeline.soundtrack.src',
        ctx,
      )),
    );
  const tracks = [];
  for (const [ti, t] of edit.timeline.tracks.entries()) {
    const clips: Clip[] = [];
    for (const [ci, c] of t.clips.entries()) {
      const a = c.asset;
      if (a.type === 'text-to-speech') {
        const spoken = got<SpokenRef>(`tts-${ti}-${ci}`);
        const words = placed(await readWords(spoken.words, assetAt(ti, ci), ctx), c, 0);
        if (wantsAuto(edit)) timeline.push(...words);
        if (named(ti, ci)) byClip.set(`${ti}-${ci}`, words);
        clips.push({ ...c, asset: { type: 'audio', src: spoken.src } });
        continue;
      }
      if ((a.type === 'video' || a.type === 'audio') && transcripts.has(a.src)) {
        const words = placed(
          await readWords(transcripts.get(a.src)!.src, `${assetAt(ti, ci)}.src`, ctx),
          c,
          a.trim ?? 0,
        );
        if (wantsAuto(edit)) timeline.push(...words);
        if (named(ti, ci)) byClip.set(`${ti}-${ci}`, words);
      }
      clips.push(c);
    }
    tracks.push({ ...t, clips });
  }
  let out: Edit = { ...edit, timeline: { ...edit.timeline, tracks } };
  // Each alias caption gets its clip's words as a transcript of its own.
  const aliasSrc = new Map<string, string>();
  for (const a of aliases) {
    const words = byClip.get(`${a.track}-${a.clip}`) ?? [];
    if (!words.length)
      throw new CutlineError('VALIDATION_FAILED', `${a.at}: no speech was heard in the clip "${a.name}"`, [
        { path: a.at, message: `no words were heard in the clip "${a.name}"` },
      ]);
    // Kept beside the job's other generated inputs: the captions' source, not one of the job's outputs.
    const file = `captions-${a.track}-${a.clip}.json`;
    const path = join(ctx.scratchDir, file);
    await writeFile(path, JSON.stringify({ engine: 'timeline', words }));
    aliasSrc.set(a.name, await publishers(ctx, a.at).publish(path, file));
  }
  if (aliasSrc.size)
    out = {
      ...out,
      timeline: {
        ...out.timeline,
        tracks: out.timeline.tracks.map((t) => ({
          ...t,
          clips: t.clips.map((c) => {
            const name = captionAlias(c.asset);
            return name === undefined ? c : { ...c, asset: { ...c.asset, src: aliasSrc.get(name)! } };
          }),
        })),
      },
    };
  if (wantsAuto(edit)) {
    timeline.sort((x, y) => x.start - y.start);
    const at = (() => {
      for (const [ti, t] of edit.timeline.tracks.entries())
        for (const [ci, c] of t.clips.entries()) if (isAuto(c.asset)) return `${assetAt(ti, ci)}.src`;
      return 'asset.src';
    })();
    if (!timeline.length)
      throw new CutlineError(
        'VALIDATION_FAILED',
        `${at}: "auto" captions found no speech in the edit's audio`,
        [{ path: at, message: "no words were heard in the edit's audio" }],
      );
    const src = await publishers(ctx, at).publishOutput('transcript.json', {
      engine: 'timeline',
      words: timeline,
    });
    out = {
      ...out,
      timeline: {
        ...out.timeline,
        tracks: out.timeline.tracks.map((t) => ({
          ...t,
          clips: t.clips.map((c) => (isAuto(c.asset) ? { ...c, asset: { ...c.asset, src } } : c)),
        })),
      },
    };
  }
  return out;
}
