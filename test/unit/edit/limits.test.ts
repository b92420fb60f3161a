import { describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/core/config.js';
import {
  checkLimitOverrides,
  DEFAULT_LIMITS,
  deploymentLimits,
  describeLimit,
  LIMIT_NAMES,
  parseLimitAssignments,
  parseLimitValue,
} from '../../../lambdas/core/edit/limits.js';

describe('deployment limits', () => {
  it('defaults fit real work: a 10 GiB source, 64 MP pictures, 3 h timelines', () => {
    expect(DEFAULT_LIMITS.maxSourceBytes).toBe(10 * 1024 ** 3);
    expect(DEFAULT_LIMITS.maxSourcePixels).toBe(64 * 1024 * 1024);
    expect(DEFAULT_LIMITS.maxDecodedFrameBytes).toBe(512 * 1024 * 1024);
    expect(DEFAULT_LIMITS.maxDurationSeconds).toBe(3 * 3600);
    expect(LIMIT_NAMES).toContain('maxSourcePixels');
  });

  it('reads sizes and durations as a person writes them', () => {
    expect(parseLimitValue('maxSourceBytes', '5GB')).toBe(5e9);
    expect(parseLimitValue('maxSourceBytes', '5GiB')).toBe(5 * 1024 ** 3);
    expect(parseLimitValue('maxSourceBytes', '500 mb')).toBe(5e8);
    expect(parseLimitValue('maxSourceBytes', '1e9')).toBe(1e9);
    expect(parseLimitValue('maxDurationSeconds', '4h')).toBe(14400);
    expect(parseLimitValue('maxDurationSeconds', '90m')).toBe(5400);
    expect(parseLimitValue('maxSourcePixels', '100000000')).toBe(1e8);
  });

  it('refuses an unknown name, a unit that does not fit, zero and junk, naming the setting', () => {
    expect(() => parseLimitValue('maxSourceByte', '5GB')).toThrow(
      /unknown limit "maxSourceByte".*maxSourceBytes/,
    );
    expect(() => parseLimitValue('maxTracks', '5GB')).toThrow(/maxTracks=5GB is not a positive whole value/);
    expect(() => parseLimitValue('maxSourceBytes', '0')).toThrow(/maxSourceBytes=0/);
    expect(() => parseLimitValue('maxSourceBytes', 'lots')).toThrow(/e\.g\. 5GB/);
    expect(() => parseLimitAssignments(['maxSourceBytes'])).toThrow(/not name=value/);
    expect(() => checkLimitOverrides([1], 'x')).toThrow(/must be an object/);
    expect(() => checkLimitOverrides({ maxTracks: true }, 'x')).toThrow(/maxTracks must be a number/);
  });

  it('CUTLINE_LIMITS overrides the defaults, and only what it names', () => {
    const env = { [ENV.LIMITS]: JSON.stringify({ maxSourceBytes: '20GB', maxTracks: 3 }) };
    const limits = deploymentLimits(env);
    expect(limits.maxSourceBytes).toBe(2e10);
    expect(limits.maxTracks).toBe(3);
    expect(limits.maxClips).toBe(DEFAULT_LIMITS.maxClips);
    expect(deploymentLimits({}).maxSourceBytes).toBe(DEFAULT_LIMITS.maxSourceBytes);
    expect(() => deploymentLimits({ [ENV.LIMITS]: '{nope' })).toThrow(/CUTLINE_LIMITS is not JSON/);
    expect(() => deploymentLimits({ [ENV.LIMITS]: '{"maxSourceBytes":-1}' })).toThrow(
      /CUTLINE_LIMITS: maxSourceBytes=-1/,
    );
  });

  it('names a limit with its value in refusals', () => {
    expect(describeLimit('maxSourceBytes', 100 * 1024 * 1024)).toBe(
      'maxSourceBytes = 100 MiB (104857600 bytes)',
    );
    expect(describeLimit('maxSourcePixels', 1000)).toBe('maxSourcePixels = 1000');
  });
});
