import { basename } from 'node:path';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The generic CSS families and the names Chromium falls back to on Linux when a page's families are all
 * unknown (its default fonts, then its last resort): all answered by the default face, since only the
 * built-in families exist.
 */
const GENERIC = [
  'sans-serif',
  'serif',
  'monospace',
  'system-ui',
  'cursive',
  'fantasy',
  'Times New Roman',
  'Arial',
  'Sans',
  'Serif',
  'Monospace',
];

/**
 * The browser's only font configuration (FONTCONFIG_FILE): one folder holding exactly the built-in faces,
 * no system folders and no conf.d, so a page draws with the same files on a Debian desktop, in the
 * Fargate image and in Lambda, and a family that is not built in falls back to `fallback` everywhere.
 * Pure: the rasterizer writes it and links the faces into `fontDir`.
 */
export function fontconfigFile(fontDir: string, cacheDir: string, fallback: string): string {
  const aliases = GENERIC.map(
    (g) =>
      `<alias binding="same"><family>${g}</family><prefer><family>${xml(fallback)}</family></prefer></alias>`,
  );
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `<dir>${xml(fontDir)}</dir>`,
    `<cachedir>${xml(cacheDir)}</cachedir>`,
    ...aliases,
    '</fontconfig>',
    '',
  ].join('\n');
}

/** The link names of the faces in the font folder: their file names, which are unique among the built-ins. */
export function fontLinks(files: readonly string[]): Array<{ name: string; target: string }> {
  const seen = new Set<string>();
  return files.flatMap((target) => {
    const name = basename(target);
    if (seen.has(name)) return [];
    seen.add(name);
    return [{ name, target }];
  });
}
