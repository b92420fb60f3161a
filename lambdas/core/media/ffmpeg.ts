import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CutlineError } from '../errors.js';
import { ProcessCancelledError, spawnManaged } from './processes.js';
import { setting } from '../config.js';
import { progressParser, type FfmpegStats } from './ffmpeg-progress.js';

/** A stopped render is not retried: the job was cancelled, timed out or failed elsewhere. */
const cancelledRender = () => new CutlineError('RENDER_FAILED', 'the render was cancelled', [], false);

export interface RunOptions {
  /** Seconds of output expected, to turn ffmpeg's `out_time` into a fraction. */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
  /** Every `-progress` block (4 a second), with the frame count: frame-level job progress reads it. */
  onStats?: (stats: FfmpegStats) => void;
  signal?: AbortSignal;
  ffmpeg?: string;
}

/** How ffmpeg (strerror of ENOSPC / EDQUOT) says a write found the disk full. */
const NO_SPACE = /No space left on device|Disk quota exceeded/i;

/**
 * The scratch disk filled while ffmpeg wrote: STORAGE_FULL, not retryable on the same disk. Only the
 * output's base name is named (never the folder: the message reaches the client).
 */
function scratchFullError(output: string): CutlineError {
  const name = output.slice(output.lastIndexOf('/') + 1);
  return new CutlineError(
    'STORAGE_FULL',
    `the scratch disk filled up while ffmpeg wrote ${name}; free space on the render scratch disk ` +
      '(or give it more) and submit again',
  );
}

/** Linux caps one argument at 128 KiB; bigger graphs go through a script file. */
const MAX_INLINE_GRAPH = 100_000;

/** Runs ffmpeg, reporting progress from `-progress`; fails with the tail of its log. */
export async function runFfmpeg(args: readonly string[], opts: RunOptions = {}): Promise<void> {
  const bin = opts.ffmpeg ?? setting('FFMPEG_PATH');
  const finalArgs = [...args];
  let scriptDir: string | undefined;
  const g = finalArgs.indexOf('-filter_complex');
  if (g >= 0 && (finalArgs[g + 1]?.length ?? 0) > MAX_INLINE_GRAPH) {
    scriptDir = await mkdtemp(join(tmpdir(), 'cutline-graph-'));
    const script = join(scriptDir, 'graph.txt');
    await writeFile(script, finalArgs[g + 1]!);
    finalArgs.splice(g, 2, '-filter_complex_script', script);
  }
  // Errors only on stderr (so a failure's message is the error itself); progress comes on stdout.
  finalArgs.unshift('-v', 'error');
  finalArgs.splice(finalArgs.length - 1, 0, '-progress', 'pipe:1', '-stats_period', '0.25');
  await mkdir(dirname(finalArgs[finalArgs.length - 1]!), { recursive: true });
  try {
    // Within the worker budget, in its own process group, ended when the task's signal aborts.
    const managed = await spawnManaged(bin, finalArgs, { signal: opts.signal, slots: 1 }).catch((err) => {
      if (err instanceof ProcessCancelledError) throw cancelledRender();
      throw err;
    });
    const { child } = managed;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      let spawnError: NodeJS.ErrnoException | undefined;
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        log = (log + d).slice(-8000);
      });
      const parser = progressParser(opts.durationSeconds);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        for (const stats of parser.push(d)) {
          if (opts.durationSeconds) opts.onProgress?.(stats.fraction);
          opts.onStats?.(stats);
        }
      });
      child.on('error', (err: NodeJS.ErrnoException) => (spawnError = err));
      void managed.exited.then(({ code, signal: sig }) => {
        if (managed.aborted()) return reject(cancelledRender());
        if (spawnError?.code === 'ENOENT') {
          return reject(
            new CutlineError(
              'FFMPEG_UNAVAILABLE',
              `ffmpeg was not found (${bin}); install ffmpeg or set CUTLINE_FFMPEG`,
            ),
          );
        }
        if (spawnError) return reject(spawnError);
        if (code === 0) {
          opts.onProgress?.(1);
          return resolve();
        }
        const tail = log
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !/^(frame|size)=/.test(l))
          .slice(-6)
          .join('\n');
        if (NO_SPACE.test(log)) return reject(scratchFullError(finalArgs[finalArgs.length - 1]!));
        // A killed ffmpeg (out of memory, a preempted worker) may succeed on another try; a bad graph will not.
        const retryable = sig !== null;
        reject(
          new CutlineError(
            'RENDER_FAILED',
            `ffmpeg ${sig ? `was killed by ${sig}` : `exited with code ${code}`}: ${tail}`,
            [],
            retryable,
          ),
        );
      });
    });
  } finally {
    if (scriptDir) await rm(scriptDir, { recursive: true, force: true });
  }
}
