import { lambdaMemoryMb } from '../core/config.js';
import { ffmpegThreads, lambdaVcpus } from '../core/plan/threads.js';

/**
 * ffmpeg threads for this function's size (render tasks): in Lambda from its memory (3008 MB ≈ 1.7 vCPU →
 * 2 threads); elsewhere undefined, and ffmpeg picks.
 */
export function renderThreads(): number | undefined {
  const mb = lambdaMemoryMb();
  return mb === undefined ? undefined : ffmpegThreads(lambdaVcpus(mb));
}
