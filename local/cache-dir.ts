import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CACHE_HOME/cutline`, else `~/.cache/cutline`: what the CLI keeps between runs, the user's own. */
export function cutlineCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cutline');
}
