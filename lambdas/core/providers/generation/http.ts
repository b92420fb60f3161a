import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ENV } from '../../config.js';
import { CutlineError } from '../../errors.js';
import { pngBase64 } from './frames.js';
import type { GenerationAsk, GenerationJob, GenerationStep, Generator } from './types.js';

/** Polls before giving up: an hour at the default 5-second wait. */
export const HTTP_MAX_POLLS = 720;
/** Each request to the provider gets this long. */
const REQUEST_MS = 30_000;
/** Media larger than this is refused (a generated clip or still is far smaller). */
export const HTTP_MAX_MEDIA_BYTES = 512 * 1024 * 1024;
/** Input pictures are sent at most this size (the first frame at the asked frame's size). */
const REFERENCE_SIDE = 1024;

/**
 * The HTTP generation protocol (docs/generation-http.md), for a provider the operator runs:
 *   POST {endpoint}/jobs  {kind, prompt, durationSeconds?, width, height, seed, image?, referenceImages?}
 *     → 2xx {id}
 *   GET  {endpoint}/jobs/{id} → {status: queued|running|succeeded|failed, url?, error?}
 *   GET  url (relative to, or on the same origin as, the endpoint) → the media bytes
 * Pictures travel as {format: "png", data: base64}. The endpoint is a deployment setting (trusted, may be
 * on loopback); a media URL elsewhere is refused, so a provider cannot make the platform fetch anything.
 */
export function httpGenerator(endpoint: string, pollSeconds: number): Generator {
  const base = new URL(`${endpoint}/`);
  const fail = (at: string, what: string, status: number, body: string) => {
    const why = `${at}: the generation provider at ${ENV.GENERATION_ENDPOINT} answered ${status} to ${what}: ${body.slice(0, 300)}`;
    if (status === 429 || status >= 500)
      return new CutlineError('RENDER_FAILED', `${why}; the step is retried`, [], true);
    return new CutlineError('VALIDATION_FAILED', why, [{ path: at, message: body.slice(0, 300) }]);
  };
  const call = async (url: URL, init: RequestInit, what: string) => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_MS), redirect: 'error' });
    } catch (err) {
      throw new CutlineError(
        'RENDER_FAILED',
        `the generation provider at ${ENV.GENERATION_ENDPOINT} could not be reached for ${what}: ${(err as Error).message}; the step is retried`,
        [],
        true,
      );
    }
  };
  return {
    name: 'http',
    async start(ask: GenerationAsk, job: GenerationJob, attempt: number): Promise<GenerationStep> {
      const dir = join(job.scratchDir, `http-${job.itemId}`);
      await mkdir(dir, { recursive: true });
      const image = ask.image
        ? { format: 'png', data: await pngBase64(ask.image, ask.width, ask.height, dir, 'first-frame') }
        : undefined;
      const referenceImages = await Promise.all(
        (ask.references ?? []).map(async (p, i) => ({
          format: 'png',
          data: await pngBase64(p, REFERENCE_SIDE, REFERENCE_SIDE, dir, `reference-${i}`),
        })),
      );
      const res = await call(
        new URL('jobs', base),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `${job.jobId}-${job.itemId}-${attempt}`,
          },
          body: JSON.stringify({
            kind: ask.kind,
            prompt: ask.prompt,
            ...(ask.kind === 'video' ? { durationSeconds: ask.durationSeconds } : {}),
            width: ask.width,
            height: ask.height,
            seed: ask.seed,
            ...(image ? { image } : {}),
            ...(referenceImages.length ? { referenceImages } : {}),
          }),
        },
        'POST /jobs',
      );
      const text = await res.text();
      if (!res.ok) throw fail(job.at, 'POST /jobs', res.status, text);
      const id = (JSON.parse(text || '{}') as { id?: unknown }).id;
      if (typeof id !== 'string' || !/^[\w.-]{1,128}$/.test(id))
        throw new CutlineError(
          'RENDER_FAILED',
          `the generation provider answered POST /jobs without an id: ${text.slice(0, 300)}`,
        );
      return {
        wait: { seconds: pollSeconds, state: { id, kind: ask.kind, seconds: ask.durationSeconds, polls: 0 } },
      };
    },
    async poll(state, job): Promise<GenerationStep> {
      const what = `GET /jobs/${String(state.id)}`;
      const res = await call(new URL(`jobs/${encodeURIComponent(String(state.id))}`, base), {}, what);
      const text = await res.text();
      if (!res.ok) throw fail(job.at, what, res.status, text);
      const body = JSON.parse(text || '{}') as { status?: string; url?: string; error?: string };
      if (body.status === 'failed')
        return { failed: `the generation provider: ${body.error ?? 'no reason given'}` };
      if (body.status === 'succeeded') {
        if (typeof body.url !== 'string')
          throw new CutlineError(
            'RENDER_FAILED',
            `the generation provider's ${what} succeeded without a url`,
          );
        const url = new URL(body.url, base);
        if (url.origin !== base.origin)
          throw new CutlineError(
            'RENDER_FAILED',
            `the generation provider named media on ${url.origin}; only its own origin (${base.origin}) is fetched`,
          );
        const media = await call(url, {}, 'the media');
        if (!media.ok || !media.body) throw fail(job.at, 'the media', media.status, await media.text());
        if (Number(media.headers.get('content-length') ?? 0) > HTTP_MAX_MEDIA_BYTES)
          throw new CutlineError(
            'RENDER_FAILED',
            `the generated media is larger than ${HTTP_MAX_MEDIA_BYTES} bytes`,
          );
        const kind = String(state.kind);
        const path = join(job.scratchDir, `${job.itemId}.${kind === 'video' ? 'mp4' : 'png'}`);
        let bytes = 0;
        const counted = Readable.fromWeb(media.body as never).on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes > HTTP_MAX_MEDIA_BYTES) counted.destroy(new Error('media too large'));
        });
        await pipeline(counted, createWriteStream(path));
        return {
          file: path,
          usage: [
            kind === 'video'
              ? { provider: 'http-video', units: Number(state.seconds) }
              : { provider: 'http-image', units: 1 },
          ],
        };
      }
      const polls = Number(state.polls) + 1;
      if (polls >= HTTP_MAX_POLLS)
        throw new CutlineError(
          'RENDER_FAILED',
          `the generation provider's job ${String(state.id)} did not finish in time`,
        );
      return { wait: { seconds: pollSeconds, state: { ...state, polls } } };
    },
  };
}
