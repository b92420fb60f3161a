import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The AbortSignal of the pipeline task this code runs in. The local runner runs each task inside
 * `runWithTaskSignal` with its execution's signal, so every process the task starts (ffmpeg, ffprobe,
 * the Fargate stand-in) is ended when the execution is stopped, fails or times out, without threading
 * a signal through every handler and helper. In Lambda there is none: a stopped execution does not stop
 * an invocation, so the handlers check the job's state before they upload (pipeline/outputs.ts).
 */
const current = new AsyncLocalStorage<AbortSignal>();

export function runWithTaskSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return current.run(signal, fn);
}

export function taskSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** The caller's signal and the task's, either of which ends the work. */
export function effectiveSignal(own?: AbortSignal): AbortSignal | undefined {
  const task = taskSignal();
  if (own && task && own !== task) return AbortSignal.any([own, task]);
  return own ?? task;
}
