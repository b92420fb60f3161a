/**
 * ffmpeg threads per function size. Lambda gives CPU in proportion to memory (one vCPU's worth at
 * 1,769 MB, up to 6 vCPUs at 10,240 MB: 3,008 MB is ~1.7 vCPU); a Fargate task has cpu/1024 vCPUs.
 * Pure: the edges pass the size (AWS_LAMBDA_FUNCTION_MEMORY_SIZE in Lambda, the task's cpu on Fargate).
 */
export const LAMBDA_MB_PER_VCPU = 1769;
export const LAMBDA_MAX_VCPUS = 6;
/** What one x264 worker needs at 1080p (decoders, lookahead, filter graph), measured generously. */
export const WORKER_MEMORY_MIB = 1024;

export const lambdaVcpus = (memoryMb: number): number =>
  Math.min(LAMBDA_MAX_VCPUS, Math.max(0, memoryMb) / LAMBDA_MB_PER_VCPU);

export const fargateVcpus = (cpuUnits: number): number => Math.max(0, cpuUnits) / 1024;

/**
 * Threads for one ffmpeg on `vcpus`: a partial vCPU is still worth a thread (x264's frame threads fill
 * it: 1.7 vCPU → 2), but not a sliver of one (1.05 → 1); never fewer than 1.
 */
export function ffmpegThreads(vcpus: number): number {
  return Math.max(1, Math.ceil(vcpus - 0.25));
}

/**
 * Threads for the filter graph's slice threading (`-filter_complex_threads`) on `vcpus`: on two or fewer
 * one, because x264's frame threads and the decoders already fill them and slicing the filters only adds
 * hand-offs (measured on 2 cores, 30 s 1080p bench edit: 2–3 % less wall time than ffmpeg's automatic
 * choice); above that ffmpeg's own choice (undefined), as nothing was measured there.
 */
export function filterGraphThreads(vcpus: number): number | undefined {
  return vcpus <= 2 ? 1 : undefined;
}

/**
 * Speed-up over one thread that the planner expects from `threads` on `vcpus`: x264 scales sub-linearly
 * (the cost model's 0.8 power), and threads beyond the vCPUs only share them.
 */
export function threadSpeedup(threads: number, vcpus: number): number {
  return Math.max(1, Math.min(threads, Math.max(1, vcpus))) ** 0.8;
}

/**
 * A Fargate task renders its chunks side by side: one worker per whole vCPU (chunks scale better than
 * threads) as far as memory allows, each with the threads its share of the vCPUs is worth.
 */
export function fargateLayout(
  cpuUnits: number,
  memoryMiB: number,
): { workers: number; threadsPerWorker: number } {
  const vcpus = fargateVcpus(cpuUnits);
  const workers = Math.max(1, Math.min(Math.floor(vcpus), Math.floor(memoryMiB / WORKER_MEMORY_MIB)));
  return { workers, threadsPerWorker: ffmpegThreads(vcpus / workers) };
}
