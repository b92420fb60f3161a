import { generatorFor } from '../../providers/generation/index.js';
import { voiceFor } from '../../providers/voice/index.js';
import { resetProviderSettings } from '../../providers/settings.js';
import type { ProviderEnv } from './types.js';

let cached: ProviderEnv | undefined;

/** The deployment's providers, as the scene providers use them (core/providers/settings.ts decides). */
export function providerEnv(): ProviderEnv {
  if (!cached) {
    const voice = voiceFor();
    const generator = generatorFor();
    cached = { ...(voice ? { voice } : {}), ...(generator ? { generator } : {}) };
  }
  return cached;
}

/** Tests reset it after changing the environment. */
export function resetProviderEnv(): void {
  cached = undefined;
  resetProviderSettings();
}
