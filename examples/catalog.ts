/**
 * The examples as the web console's picker shows them: every `examples/*.json` with the media it reads.
 * Locally (`fileRoot` given) relative `src` values become file:// URLs, which the local platform reads
 * under its media root; deployed, they stay relative — the console says to upload the media first.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This folder, where the edits and their media are (also when this runs compiled, from dist/examples/). */
export const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url)).replace(
  /[/\\]dist([/\\]examples)$/,
  '$1',
);

export interface ExampleEntry {
  /** The file stem: `promo` for promo.json. */
  name: string;
  edit: unknown;
  /** Relative media the edit reads (before any rewrite). */
  media: string[];
  /** Of those, the files that do not exist here (run `npm run examples:media`). */
  missing: string[];
  /** Whether `src` values were rewritten to file:// URLs the platform can read. */
  local: boolean;
}

const isRelative = (src: string) => !/^[a-z][a-z0-9+.-]*:/i.test(src);

function mapSources(value: unknown, fn: (src: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapSources(v, fn));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === 'src' && typeof v === 'string' ? fn(v) : mapSources(v, fn),
      ]),
    );
  return value;
}

/**
 * The catalogue. `fileRoot`: the local platform's media root; relative sources are rewritten to file://
 * URLs only when the examples folder lies under it (otherwise the platform would refuse them anyway).
 */
export function listExamples(opts: { dir?: string; fileRoot?: string } = {}): ExampleEntry[] {
  const dir = resolve(opts.dir ?? EXAMPLES_DIR);
  const root = opts.fileRoot ? resolve(opts.fileRoot) : undefined;
  const under = root !== undefined && (dir === root || !relative(root, dir).startsWith('..'));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
      const media: string[] = [];
      mapSources(raw, (src) => (isRelative(src) && media.push(src), src));
      const edit = under
        ? mapSources(raw, (src) => (isRelative(src) ? pathToFileURL(resolve(dir, src)).href : src))
        : raw;
      return {
        name: file.replace(/\.json$/, ''),
        edit,
        media: [...new Set(media)],
        missing: [...new Set(media)].filter((m) => !existsSync(resolve(dir, m.split('/').join(sep)))),
        local: under,
      };
    });
}
