import { execFile } from 'node:child_process';
import { setting } from '../config.js';
import { CutlineError } from '../errors.js';
import { assertPictureSize, interpretProbe, type ProbeResult } from './probe.js';
import { refusalOf, sourceProbeArgs } from './source-input.js';

/** Header reads only: a source that does not answer within this is left out. */
export const PROBE_TIMEOUT_MS = 4000;

/**
 * ffprobe on a URL or path, reading headers only (ffprobe stops after the container header for
 * `-show_format`; over http it issues range requests, so a 1 GB source costs a few kB).
 */
export function probeHeaders(target: string, at: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const ffprobe = setting('FFPROBE_PATH');
  return new Promise((resolve, reject) => {
    execFile(
      ffprobe,
      sourceProbeArgs(target),
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const refused = refusalOf(String(stderr), at);
          if (refused) return reject(refused);
          const reason = (err as { killed?: boolean }).killed
            ? `no answer within ${timeoutMs} ms`
            : String(stderr).trim().split('\n').pop() || err.message;
          return reject(
            new CutlineError('SOURCE_UNREADABLE', `${at}: ${reason}`, [{ path: at, message: reason }]),
          );
        }
        try {
          const result = interpretProbe(JSON.parse(stdout), String(stderr));
          assertPictureSize(result, at);
          resolve(result);
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}
