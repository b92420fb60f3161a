import { CutlineError } from '../../errors.js';
import type { Scene, SceneSource } from '../schema.js';
import { generateProvider } from './generate.js';
import { imageProvider } from './image.js';
import { titleProvider } from './title.js';
import type { ProviderEnv, SceneProvider } from './types.js';
import { uploadProvider } from './upload.js';
import { voiceoverProvider } from './voiceover.js';

export type {
  PlaceContext,
  PrepareContext,
  ProviderEnv,
  SceneClips,
  ScenePending,
  SceneProvider,
  Slot,
} from './types.js';
export { providerEnv, resetProviderEnv } from './env.js';

const PROVIDERS: Record<SceneSource, SceneProvider> = {
  upload: uploadProvider as SceneProvider,
  image: imageProvider as SceneProvider,
  title: titleProvider as SceneProvider,
  voiceover: voiceoverProvider as SceneProvider,
  generate: generateProvider as SceneProvider,
};

export const providerOf = (scene: Pick<Scene, 'source'>): SceneProvider => PROVIDERS[scene.source];

/** Refuses (NOT_SUPPORTED, with the scene's path) a scene whose provider cannot run here. */
export function assertAvailable(scene: Pick<Scene, 'source'>, env: ProviderEnv, at: string): void {
  const ok = providerOf(scene).available(env);
  if (ok !== true)
    throw new CutlineError('NOT_SUPPORTED', `${at}.source: ${ok}`, [{ path: `${at}.source`, message: ok }]);
}
