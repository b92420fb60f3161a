import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeLimit } from '../edit/limits.js';
import { CutlineError } from '../errors.js';

/** Turns an edit's `src` into a local file the renderer can read. `at` is the JSON path, for errors. */
export interface SourceResolver {
  resolve(src: string, at: string): Promise<string>;
  /**
   * Where ffmpeg/ffprobe read a media source without a download (a loopback range URL, a path in place);
   * absent: `resolve`'s local copy.
   */
  media?(src: string, at: string): Promise<string>;
}

const refused = (at: string, message: string) =>
  new CutlineError('SOURCE_REFUSED', `${at}: ${message}`, [{ path: at, message }]);

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export interface LocalSourceOptions {
  /** `file://` sources must lie under this directory (symlinks resolved). */
  mediaRoot: string;
  /** Relative paths are read against this directory (the edit file's) and must stay under it or mediaRoot. */
  baseDir: string;
  maxSourceBytes: number;
}

/** Local files only: `file://` URLs under the media root and paths relative to the edit. */
export class LocalSourceResolver implements SourceResolver {
  constructor(private readonly opts: LocalSourceOptions) {}

  async resolve(src: string, at: string): Promise<string> {
    let candidate: string;
    let roots: string[];
    if (src.startsWith('file://')) {
      try {
        candidate = fileURLToPath(src);
      } catch {
        throw refused(at, `"${src}" is not a valid file:// URL`);
      }
      roots = [this.opts.mediaRoot];
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(src)) {
      const scheme = src.slice(0, src.indexOf(':'));
      throw refused(
        at,
        `${scheme}: sources are not available when rendering locally; use a file:// URL under the media root or a path relative to the edit`,
      );
    } else {
      candidate = resolvePath(this.opts.baseDir, src);
      roots = [this.opts.baseDir, this.opts.mediaRoot];
    }
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      throw new CutlineError('SOURCE_NOT_FOUND', `${at}: source not found: ${src}`, [
        { path: at, message: `not found: ${src}` },
      ]);
    }
    const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => resolvePath(r))));
    if (!realRoots.some((root) => inside(root, real))) {
      throw refused(at, `"${src}" is outside the media root (${this.opts.mediaRoot})`);
    }
    const info = await stat(real);
    if (!info.isFile()) throw refused(at, `"${src}" is not a file`);
    if (info.size > this.opts.maxSourceBytes) {
      const message = `source is ${info.size} bytes; the limit is ${describeLimit('maxSourceBytes', this.opts.maxSourceBytes)}`;
      throw new CutlineError('LIMIT_EXCEEDED', `${at}: ${message}`, [{ path: at, message }]);
    }
    return real;
  }
}
