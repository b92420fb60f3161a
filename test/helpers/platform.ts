import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalPlatform, type LocalPlatform } from '../../local/platform.js';
import { FIXTURES } from './fixtures.js';

export const SECOND_TENANT = { id: 'tenant-b', value: 'key-for-tenant-b' };

/** The local platform on random ports in a temp dir, with fixtures as the media root. */
export async function startTestPlatform(
  extra: Partial<Parameters<typeof startLocalPlatform>[0]> = {},
): Promise<LocalPlatform> {
  return startLocalPlatform({
    dataDir: await mkdtemp(join(tmpdir(), 'cutline-platform-')),
    mediaRoot: FIXTURES,
    extraKeys: [SECOND_TENANT],
    ...extra,
  });
}

export const fixtureUrl = (name: string) => pathToFileURL(join(FIXTURES, name)).href;

/** Tests read arbitrary API JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Api {
  (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
}

export function api(p: LocalPlatform, key = p.apiKey): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${p.url}${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

/** Polls a render until it ends, recording every (status, stage, progress) seen. */
export async function waitForJob(call: Api, id: string, timeoutMs = 120_000) {
  const seen: Array<{ status: string; stage?: string; progress: number }> = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await call('GET', `/v1/renders/${id}`);
    if (status !== 200) throw new Error(`GET /v1/renders/${id} answered ${status}: ${JSON.stringify(body)}`);
    const last = seen[seen.length - 1];
    if (
      !last ||
      last.status !== body.status ||
      last.stage !== body.stage ||
      last.progress !== body.progress
    ) {
      seen.push({ status: body.status, stage: body.stage, progress: body.progress });
    }
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(body.status)) return { job: body, seen };
    if (Date.now() > until) throw new Error(`render ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
