import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { listExamples } from '../examples/catalog.js';
import { CONSOLE_HEADERS } from '../lambdas/core/console-headers.js';

/** The web console's static files (console/ in the repo). */
export const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  png: 'image/png',
};

/** A plain file name in the console folder: no folders, no dot files, a known type. */
const FILE = /^\/([a-z0-9][\w-]*\.(html|js|css|svg|ico|png))$/i;

/**
 * Serves the console on the local platform, same-origin with the API: `/` is index.html, `/config.json`
 * says the API is this origin, `/examples.json` is the examples picker. Answers only GET/HEAD of those
 * paths (no API key: they hold nothing private) and returns false for everything else, which the API
 * routes then handle unchanged.
 */
export function consoleRoutes(opts: { mediaRoot?: string; dir?: string }) {
  const dir = opts.dir ?? CONSOLE_DIR;
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...CONSOLE_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/config.json') {
      send(200, TYPES.json!, JSON.stringify({ apiUrl: '', platform: 'local' }));
      return true;
    }
    if (path === '/examples.json') {
      try {
        send(200, TYPES.json!, JSON.stringify({ examples: listExamples({ fileRoot: opts.mediaRoot }) }));
      } catch (err) {
        send(
          500,
          TYPES.json!,
          JSON.stringify({ error: { code: 'INTERNAL', message: (err as Error).message } }),
        );
      }
      return true;
    }
    const name = path === '/' ? 'index.html' : FILE.exec(path)?.[1];
    if (!name) return false;
    void readFile(`${dir}${name}`).then(
      (body) => send(200, TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()]!, body),
      () =>
        send(404, TYPES.json!, JSON.stringify({ error: { code: 'NOT_FOUND', message: `no file ${path}` } })),
    );
    return true;
  };
}
