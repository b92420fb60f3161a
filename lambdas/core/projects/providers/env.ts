import { spawnSync } from 'node:child_process';
import type { ProviderEnv } from './types.js';
import { setting } from '../../config.js';

let cached: ProviderEnv | undefined;

/** What this machine offers: espeak-ng when installed (CUTLINE_ESPEAK names another binary). */
export function providerEnv(): ProviderEnv {
  if (!cached) {
    const bin = setting('ESPEAK_PATH');
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
    cached = probe.status === 0 ? { espeak: bin } : {};
  }
  return cached;
}

/** Tests reset it after changing the environment. */
export function resetProviderEnv(): void {
  cached = undefined;
}
