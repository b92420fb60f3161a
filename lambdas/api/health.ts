import type { APIGatewayProxyResult } from 'aws-lambda';
import { checkFfmpeg, type FfmpegCheck } from '../core/media/capabilities.js';
import { json } from './http.js';

/**
 * The ffmpeg check runs ffmpeg three times (~150 ms). Health needs no key and is not throttled, so it is
 * done once per process per minute: a flood of health checks must not become a flood of processes.
 */
const CHECK_TTL_MS = 60_000;
let cached: { at: number; check: Promise<FfmpegCheck> } | undefined;

function ffmpegCheck(now = Date.now()): Promise<FfmpegCheck> {
  if (!cached || now - cached.at > CHECK_TTL_MS) cached = { at: now, check: checkFfmpeg() };
  return cached.check;
}

/** Liveness without an API key; reports the ffmpeg this deployment renders with and anything it lacks. */
export async function handler(): Promise<APIGatewayProxyResult> {
  const ffmpeg = await ffmpegCheck();
  return json(200, {
    status: ffmpeg.ok ? 'ok' : 'degraded',
    time: new Date().toISOString(),
    ffmpeg: { version: ffmpeg.version, ok: ffmpeg.ok, ...(ffmpeg.ok ? {} : { missing: ffmpeg.missing }) },
  });
}
