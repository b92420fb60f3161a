import { describe, expect, it } from 'vitest';
import {
  fargateLayout,
  fargateVcpus,
  ffmpegThreads,
  filterGraphThreads,
  lambdaVcpus,
  threadSpeedup,
} from '../../../lambdas/core/plan/threads.js';

describe('ffmpeg threads per function size', () => {
  it('Lambda: vCPUs in proportion to memory, capped at 6; 3008 MB is ~1.7 vCPU and gets 2 threads', () => {
    expect(lambdaVcpus(1769)).toBe(1);
    expect(lambdaVcpus(3008)).toBeCloseTo(1.7, 1);
    expect(lambdaVcpus(10_240)).toBeCloseTo(5.8, 1);
    expect(lambdaVcpus(20_000)).toBe(6);
    expect(ffmpegThreads(lambdaVcpus(3008))).toBe(2);
    expect(ffmpegThreads(lambdaVcpus(1024))).toBe(1);
    expect(ffmpegThreads(lambdaVcpus(1769))).toBe(1);
    expect(ffmpegThreads(lambdaVcpus(10_240))).toBe(6);
  });

  it('a sliver of a vCPU is not worth a thread; never fewer than one', () => {
    expect(ffmpegThreads(1.05)).toBe(1);
    expect(ffmpegThreads(1.3)).toBe(2);
    expect(ffmpegThreads(0.25)).toBe(1);
    expect(ffmpegThreads(0)).toBe(1);
  });

  it('Fargate: one worker per whole vCPU as memory allows, threads from its share', () => {
    expect(fargateVcpus(4096)).toBe(4);
    expect(fargateLayout(4096, 8192)).toEqual({ workers: 4, threadsPerWorker: 1 });
    expect(fargateLayout(4096, 2048)).toEqual({ workers: 2, threadsPerWorker: 2 });
    expect(fargateLayout(256, 512)).toEqual({ workers: 1, threadsPerWorker: 1 });
    expect(fargateLayout(16_384, 32_768)).toEqual({ workers: 16, threadsPerWorker: 1 });
  });

  it('the planner’s speed-up: sub-linear, and no gain from threads beyond the vCPUs', () => {
    expect(threadSpeedup(1, 1.7)).toBe(1);
    expect(threadSpeedup(2, 1.7)).toBeCloseTo(1.7 ** 0.8, 6);
    expect(threadSpeedup(8, 2)).toBeCloseTo(2 ** 0.8, 6);
    expect(threadSpeedup(2, 0.5)).toBe(1);
  });
});

describe('filterGraphThreads', () => {
  it('one filter thread on two vCPUs or fewer (Lambda at 3008 MB, this machine); ffmpeg decides above', () => {
    expect(filterGraphThreads(1)).toBe(1);
    expect(filterGraphThreads(lambdaVcpus(3008))).toBe(1);
    expect(filterGraphThreads(2)).toBe(1);
    expect(filterGraphThreads(4)).toBeUndefined();
  });
});
