import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
// The ES build: Node loads it in ~10 ms where the package's UMD main costs ~80 ms (CommonJS lexing) at
// every CLI start.
import { parse as parseFontBuffer } from 'opentype.js/dist/opentype.mjs';
import type { Font } from 'opentype.js';
import { CutlineError } from '../errors.js';
import { BUILTIN_FACES, builtinFacePath, faceKeys } from './builtin-fonts.js';
import { setting } from '../config.js';

/** One font file the renderer can draw with: drawtext gets `path`, layout measures with `font`. */
export interface FontFace {
  family: string;
  weight: number;
  path: string;
  font: Font;
}

interface Entry {
  family: string;
  weight: number;
  path: string;
  /** Parsed on first use: the built-in faces are many, a render draws with few. */
  font: () => Font;
  /** Lower-cased names the face answers to (typographic family and legacy family). */
  keys: string[];
  italic: boolean;
}

export const DEFAULT_FAMILY = 'Open Sans';

const parseFont: (buffer: ArrayBuffer, opt: { lowMemory: boolean }) => Font = parseFontBuffer;

const parsed = new Map<string, Font>();

/**
 * `trusted`: a face shipped with cutline, whose glyph outlines are parsed when first drawn (4 ms instead
 * of 12–18 ms at a CLI start); an edit's own font file is parsed whole here, so a broken one is refused
 * now with its name rather than failing somewhere in layout.
 */
function loadFont(path: string, trusted = false): Font {
  const cached = parsed.get(path);
  if (cached) return cached;
  let font: Font;
  try {
    const bytes = readFileSync(path);
    font = parseFont(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      { lowMemory: trusted },
    );
    if (!font.unitsPerEm || !font.numGlyphs) throw new Error('no glyphs');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CutlineError(
      'VALIDATION_FAILED',
      `font ${basename(path)} could not be read as TTF/OTF: ${why}`,
      [{ path: 'timeline.fonts', message: `${basename(path)}: ${why}` }],
    );
  }
  parsed.set(path, font);
  return font;
}

type NameRecord = Record<string, Record<string, string> | undefined>;

/** A name-table entry in English when there is one, from whichever platform has it (opentype.js 1 and 2 layouts). */
function fontName(font: Font, key: string): string | undefined {
  const names = font.names as unknown as Record<string, unknown>;
  const tables = [names.windows, names.macintosh, names.unicode, names].filter(Boolean) as NameRecord[];
  for (const table of tables) {
    const entry = table[key];
    if (!entry || typeof entry !== 'object') continue;
    const value = entry.en ?? Object.values(entry)[0];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

function describe(path: string): Entry {
  const font = loadFont(path);
  const os2 = font.tables.os2 as { usWeightClass?: number; fsSelection?: number } | undefined;
  let weight = os2?.usWeightClass ?? 400;
  if (weight > 0 && weight < 10) weight *= 100; // some old fonts store 1–9
  weight = Math.min(1000, Math.max(1, weight || 400));
  const typographic = fontName(font, 'preferredFamily') ?? fontName(font, 'typographicFamily');
  const legacy = fontName(font, 'fontFamily');
  const family = typographic ?? legacy ?? basename(path).replace(/\.[^.]+$/, '');
  const keys = [...new Set([family, legacy].filter((n): n is string => !!n).map((n) => n.toLowerCase()))];
  const italic = ((os2?.fsSelection ?? 0) & 1) === 1;
  return { family, weight, path, font: () => font, keys, italic };
}

/** What a font file says of itself: its family (typographic, else legacy), OS/2 weight class and slant. */
export function describeFontFile(path: string): {
  family: string;
  legacyFamily?: string;
  weight: number;
  italic: boolean;
} {
  const e = describe(path);
  return { family: e.family, legacyFamily: e.keys[1], weight: e.weight, italic: e.italic };
}

/** Where the shipped fonts live: `CUTLINE_FONTS_DIR`, else `assets/fonts` at the repository root. */
export function builtinFontsDir(): string {
  return setting('FONTS_DIR') || ASSETS_DIR;
}
const ASSETS_DIR = fileURLToPath(new URL('../../../assets/fonts/', import.meta.url));

const builtinEntries = new Map<string, Entry[]>();
/** The built-in faces whose files are here, described from the table (nothing parsed yet). */
function builtins(): Entry[] {
  const flat = setting('FONTS_DIR') || undefined;
  let entries = builtinEntries.get(flat ?? '');
  if (!entries) {
    entries = BUILTIN_FACES.flatMap((face) => {
      const path = builtinFacePath(face, ASSETS_DIR, flat);
      if (!path) return [];
      return [
        {
          family: face.family,
          weight: face.weight,
          italic: face.italic,
          path,
          keys: faceKeys(face),
          font: () => loadFont(path, true),
        },
      ];
    });
    builtinEntries.set(flat ?? '', entries);
  }
  return entries;
}

/** The files of the built-in faces found here (what the browser is given as its only fonts). */
export const builtinFontFiles = (): string[] => builtins().map((e) => e.path);

/** A font file of the edit's, and the name of its source file (Studio templates name a face by it). */
export interface FontFile {
  path: string;
  alias?: string;
}

/**
 * Pure: the stem of a font source's file name (`…/NaPecZ…DIRSfr0.ttf?x=1` → `NaPecZ…DIRSfr0`), which
 * Shotstack Studio's templates use as the font's family; undefined where there is none.
 */
export function fontFileStem(src: string): string | undefined {
  const path = src.split(/[?#]/)[0]!;
  const name = path.slice(path.lastIndexOf('/') + 1);
  let stem = name.replace(/\.(ttf|otf|woff2?)$/i, '');
  try {
    stem = decodeURIComponent(stem);
  } catch {
    /* kept as written */
  }
  return stem && stem !== name ? stem.trim() || undefined : undefined;
}

/** The fonts an edit may use: the shipped Open Sans plus the edit's `timeline.fonts`. Immutable. */
export class FontRegistry {
  private constructor(private readonly entries: readonly Entry[]) {}

  /** Shotstack's built-in families (builtin-fonts.ts), every weight that ships. */
  static builtin(): FontRegistry {
    return new FontRegistry(builtins());
  }

  /** A registry that also has these local TTF/OTF files; a later file wins over an earlier face of the same family and weight. */
  withFiles(files: readonly (string | FontFile)[]): FontRegistry {
    return new FontRegistry([
      ...this.entries,
      ...files.map((f) => {
        const { path, alias } = typeof f === 'string' ? { path: f, alias: undefined } : f;
        const e = describe(path);
        const key = alias?.toLowerCase();
        return key && !e.keys.includes(key) ? { ...e, keys: [...e.keys, key] } : e;
      }),
    ]);
  }

  /** Family names available, as the fonts spell them. */
  families(): string[] {
    return [...new Set(this.entries.map((e) => e.family))].sort((a, b) => a.localeCompare(b));
  }

  /** The face of `family` (default Open Sans) whose weight is nearest `weight`; upright faces win over italic ones. */
  resolve(family: string | undefined, weight = 400): FontFace {
    const wanted = (family ?? DEFAULT_FAMILY).trim();
    const key = wanted.toLowerCase();
    const candidates = this.entries.filter((e) => e.keys.includes(key));
    if (!candidates.length) {
      throw new CutlineError(
        'VALIDATION_FAILED',
        `font family "${wanted}" is not available; supply it in timeline.fonts or use one of: ${this.families().join(', ')}`,
        [{ path: 'font.family', message: `"${wanted}" is not available` }],
      );
    }
    let best: Entry | undefined;
    let bestScore = Infinity;
    candidates.forEach((e, i) => {
      // Distance first; on a tie lean lighter for normal weights and heavier for bold ones (as CSS does);
      // italic faces only when nothing upright exists; later files override earlier ones.
      const lighter = e.weight < weight ? 1 : 0;
      const tie = weight <= 500 ? 1 - lighter : lighter;
      const score =
        (e.italic ? 1e6 : 0) + Math.abs(e.weight - weight) * 4 + tie * 2 - i / (candidates.length + 1);
      if (score < bestScore) {
        bestScore = score;
        best = e;
      }
    });
    const { family: f, weight: w, path, font } = best!;
    return { family: f, weight: w, path, font: font() };
  }
}
