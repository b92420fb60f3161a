import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Edit } from '../lambdas/core/edit/schema.js';
import { CutlineError } from '../lambdas/core/errors.js';
import type { Publishers } from '../lambdas/core/jobs/types.js';
import { expansionContext } from '../lambdas/core/kinds/expand.js';
import type { SourceResolver } from '../lambdas/core/media/sources.js';
import { unmeteredCaller } from '../lambdas/core/providers/call.js';
import {
  applyEditSpeech,
  editSpeechItems,
  runEditSpeechItem,
  type SpeechContext,
} from '../lambdas/core/providers/edit-speech.js';
import { withBackoff } from '../lambdas/core/providers/retry.js';
import {
  sha256File,
  speechWav,
  transcriberFor,
  type TranscriptRef,
} from '../lambdas/core/providers/transcription/index.js';
import { providerSettings } from '../lambdas/core/providers/settings.js';

/** A transcriber that only runs as a pipeline step, refused naming the local engines. */
const pipelineOnly = (name: string, at: string) =>
  new CutlineError(
    'NOT_SUPPORTED',
    `${at}: ${name} runs as a pipeline step (cutline start, or the stack); cutline render transcribes with a local engine: install pocketsphinx and pocketsphinx-en-us, or set CUTLINE_WHISPER and CUTLINE_WHISPER_MODEL`,
    [{ path: at, message: `${name} needs the platform` }],
  );

/** How the speech this run made is named in the edit (read back through the resolver below). */
const SCHEME = 'cutline-speech:';

/**
 * The speech work of an edit on this machine, without the platform (`cutline render`): the same items
 * the pipeline runs (edit-speech.ts) through the same providers (espeak-ng, pocketsphinx or whisper.cpp),
 * their files kept in the scratch folder instead of the buckets, no usage to meter. A provider that only
 * runs as a pipeline step (Amazon Transcribe) is refused, naming the local engines.
 */
export function localSpeech(opts: { resolver: SourceResolver; scratchDir: string; outputStem: string }) {
  const dir = join(opts.scratchDir, 'speech');
  const made = (name: string) => join(dir, basename(name));
  const resolver: SourceResolver = {
    resolve: (src, at) =>
      src.startsWith(SCHEME)
        ? Promise.resolve(made(src.slice(SCHEME.length)))
        : opts.resolver.resolve(src, at),
    ...(opts.resolver.media
      ? {
          media: (src: string, at: string) =>
            src.startsWith(SCHEME)
              ? Promise.resolve(made(src.slice(SCHEME.length)))
              : opts.resolver.media!(src, at),
        }
      : {}),
  };
  const publishers: Publishers = {
    async publish(path, name) {
      await mkdir(dir, { recursive: true });
      await copyFile(path, made(name));
      return `${SCHEME}${basename(name)}`;
    },
    // The timeline's transcript is a result: beside the output (<stem>.transcript.json), and where the captions read it.
    async publishOutput(name, value) {
      await mkdir(dir, { recursive: true });
      const text = JSON.stringify(value, null, 2);
      await writeFile(made(name), text);
      await writeFile(`${opts.outputStem}.${name}`, text);
      return `${SCHEME}${basename(name)}`;
    },
  };
  const transcribe = async (
    mediaPath: string,
    durationSeconds: number,
    at: string,
  ): Promise<TranscriptRef> => {
    // Amazon Transcribe stages the audio in the outputs bucket: refused before it reaches for one.
    if (providerSettings().transcriber === 'transcribe') throw pipelineOnly('Amazon Transcribe', at);
    const transcriber = transcriberFor();
    await mkdir(dir, { recursive: true });
    const hash = await sha256File(mediaPath);
    const audioPath = await speechWav(mediaPath, join(dir, `speech-${hash.slice(0, 16)}.wav`));
    const step = await withBackoff(() =>
      transcriber.start({
        audioPath,
        hash,
        durationSeconds,
        language: providerSettings().language,
        jobId: 'local',
      }),
    );
    if ('wait' in step) throw pipelineOnly(transcriber.name, at);
    const name = `transcript-${hash.slice(0, 16)}.json`;
    await writeFile(made(name), JSON.stringify({ engine: transcriber.name, words: step.words }));
    return {
      src: `${SCHEME}${name}`,
      key: name,
      words: step.words.length,
      engine: transcriber.name,
      cached: false,
    };
  };
  const context = (prepared?: ReadonlyMap<string, unknown>) => ({
    ...expansionContext({
      tenantId: 'local',
      jobId: 'local',
      resolver,
      scratchDir: opts.scratchDir,
      publishers,
      ...(prepared ? { prepared } : {}),
    }),
    caller: unmeteredCaller,
    transcribe,
  });
  return {
    /** Reads the sources of the edit this returns (its speech among them). */
    resolver,
    /** Keeps what a provider made in the scratch folder, as a src the resolver reads. */
    publishers,
    /** A media file's words through the local engine, stored as a transcript the resolver reads. */
    transcribe,
    /** The edit with its text-to-speech spoken and its "auto" captions transcribed (as is when it has none). */
    async resolve(edit: Edit): Promise<Edit> {
      const items = editSpeechItems(edit);
      if (!items.length) return edit;
      const prepared = new Map<string, unknown>();
      const ctx: SpeechContext = context();
      for (const item of items) prepared.set(item.id, await runEditSpeechItem(edit, item, ctx));
      return applyEditSpeech(edit, context(prepared));
    },
  };
}
