import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { json } from './http.js';

const run = promisify(execFile);

/** Liveness without an API key: reports this function's ffmpeg (when it has the layer) and the time. */
export async function handler(): Promise<APIGatewayProxyResult> {
  let ffmpeg: string | null;
  try {
    const { stdout } = await run(process.env.CUTLINE_FFMPEG ?? 'ffmpeg', ['-hide_banner', '-version'], {
      timeout: 3000,
    });
    ffmpeg = stdout.split('\n')[0] ?? null;
  } catch {
    ffmpeg = null;
  }
  return json(200, { status: 'ok', time: new Date().toISOString(), ffmpeg });
}
