/** Bench sources: the reference media (local/reference-media.ts), made once into bench/.media/ (ignored by git). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  makeReferenceMedia,
  type ReferenceMedia,
  type ReferenceMediaOptions,
} from '../local/reference-media.js';

export const MEDIA_ROOT = join(dirname(fileURLToPath(import.meta.url)), '.media');

export type BenchMedia = ReferenceMedia;

/** Made once per size and length, so only the first run pays for them. */
export function makeBenchMedia(
  opts: ReferenceMediaOptions,
  log: (line: string) => void = () => {},
): Promise<BenchMedia> {
  return makeReferenceMedia(join(MEDIA_ROOT, `${opts.height}p${opts.fps}-${opts.videoSeconds}s`), opts, log);
}
