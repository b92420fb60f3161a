import type { APIGatewayProxyResult } from 'aws-lambda';
import { checkFfmpeg } from '../core/media/capabilities.js';
import { json } from './http.js';

/** Liveness without an API key; reports the ffmpeg this deployment renders with and anything it lacks. */
export async function handler(): Promise<APIGatewayProxyResult> {
  const ffmpeg = await checkFfmpeg();
  return json(200, {
    status: ffmpeg.ok ? 'ok' : 'degraded',
    time: new Date().toISOString(),
    ffmpeg: { version: ffmpeg.version, ok: ffmpeg.ok, ...(ffmpeg.ok ? {} : { missing: ffmpeg.missing }) },
  });
}
