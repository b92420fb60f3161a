import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as opentypeNs from 'opentype.js';
import { afterAll, describe, expect, it } from 'vitest';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { BUILTIN_FACES, builtinFacePath } from '../../../lambdas/core/text/builtin-fonts.js';
import {
  builtinFontsDir,
  describeFontFile,
  fontFileStem,
  FontRegistry,
} from '../../../lambdas/core/text/fonts.js';
import { scratch } from './render.js';

const ot = (
  opentypeNs.Font ? opentypeNs : (opentypeNs as unknown as { default: typeof opentypeNs }).default
) as typeof opentypeNs;
const tmp = scratch();
afterAll(tmp.cleanup);

/** A tiny real OTF: one square glyph, family "Cutline Test", the given weight class. */
function makeFont(file: string, weight: number): string {
  const square = new ot.Path();
  square.moveTo(50, 0);
  square.lineTo(450, 0);
  square.lineTo(450, 700);
  square.lineTo(50, 700);
  square.close();
  const font = new ot.Font({
    familyName: 'Cutline Test',
    styleName: weight < 400 ? 'Light' : 'Black',
    unitsPerEm: 1000,
    ascender: 800,
    descender: -200,
    weightClass: weight,
    glyphs: [
      new ot.Glyph({ name: '.notdef', advanceWidth: 500, path: new ot.Path() }),
      new ot.Glyph({ name: 'A', unicode: 65, advanceWidth: 500, path: square }),
    ],
  } as unknown as ConstructorParameters<typeof ot.Font>[0]);
  const path = join(tmp.dir, file);
  writeFileSync(path, Buffer.from(font.toArrayBuffer()));
  return path;
}

describe('FontRegistry', () => {
  const fonts = FontRegistry.builtin();

  const FAMILIES = ['Arapey', 'Clear Sans', 'Montserrat', 'Open Sans', 'Roboto', 'Work Sans'];

  it('ships the families Shotstack documents as built in, Open Sans the default', () => {
    expect(fonts.families()).toEqual(FAMILIES);
    const regular = fonts.resolve(undefined);
    expect(regular).toMatchObject({ family: 'Open Sans', weight: 400 });
    expect(regular.path.endsWith('OpenSans-Regular.ttf')).toBe(true);
    expect(regular.font.unitsPerEm).toBe(2048);
    expect(fonts.resolve('open sans', 700).path.endsWith('OpenSans-Bold.ttf')).toBe(true);
  });

  it('every built-in face is the file the table says: its own family name, weight and slant', () => {
    for (const face of BUILTIN_FACES) {
      const path = builtinFacePath(face, builtinFontsDir());
      expect(path, face.file).toBeDefined();
      const d = describeFontFile(path!);
      // Clear Sans names its light faces "Clear Sans Light" etc. as the legacy family.
      expect(d.family === face.family || d.family.startsWith(`${face.family} `), face.file).toBe(true);
      expect(d.italic, face.file).toBe(face.italic);
      // Thin and ExtraLight files often say 250 (so old Windows renders them); the table keeps CSS weights.
      expect(d.weight === 250 && face.weight <= 200 ? face.weight : d.weight, face.file).toBe(face.weight);
    }
  });

  it('picks the nearest weight in the family', () => {
    expect(fonts.resolve('Open Sans', 100).weight).toBe(300);
    expect(fonts.resolve('Open Sans', 500).weight).toBe(500);
    expect(fonts.resolve('Open Sans', 900).weight).toBe(800);
    expect(fonts.resolve('Montserrat', 900).path.endsWith('Montserrat_900Black.ttf')).toBe(true);
    expect(fonts.resolve('work sans', 200).path.endsWith('WorkSans_200ExtraLight.ttf')).toBe(true);
    expect(fonts.resolve('Arapey', 700).weight).toBe(400);
    expect(
      fonts.resolve('Clear Sans', 600).path.endsWith('ClearSans-Bold.ttf') ||
        fonts.resolve('Clear Sans', 600).path.endsWith('ClearSans-Medium.ttf'),
    ).toBe(true);
  });

  it('caches parsed fonts per file', () => {
    expect(FontRegistry.builtin().resolve(undefined).font).toBe(fonts.resolve(undefined).font);
  });

  it('rejects an unknown family, naming what is available', () => {
    try {
      fonts.resolve('Comic Neue');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CutlineError);
      expect((err as CutlineError).code).toBe('VALIDATION_FAILED');
      expect((err as CutlineError).message).toBe(
        `font family "Comic Neue" is not available; supply it in timeline.fonts or use one of: ${FAMILIES.join(', ')}`,
      );
    }
  });

  it('adds user fonts with family from the name table and weight from OS/2', () => {
    const light = makeFont('light.otf', 300);
    const black = makeFont('black.otf', 900);
    const more = fonts.withFiles([light, black]);
    expect(more.families()).toEqual([...FAMILIES, 'Cutline Test'].sort((a, b) => a.localeCompare(b)));
    expect(more.resolve('Cutline Test')).toMatchObject({ family: 'Cutline Test', weight: 300, path: light });
    expect(more.resolve('cutline test', 800).path).toBe(black);
    expect(more.resolve(undefined).family).toBe('Open Sans');
    // The original registry is unchanged.
    expect(() => fonts.resolve('Cutline Test')).toThrow(CutlineError);
  });

  it("also knows a user font by its source file's stem, as Studio templates name it", () => {
    const light = makeFont('light.otf', 300);
    const more = fonts.withFiles([{ path: light, alias: 'NaPecZTIAOhVxoMyOr9n_E7fRMTsDIRSfr0' }]);
    expect(more.resolve('NaPecZTIAOhVxoMyOr9n_E7fRMTsDIRSfr0')).toMatchObject({
      family: 'Cutline Test',
      path: light,
    });
    expect(more.resolve('Cutline Test').path).toBe(light);
    // Without the alias only the name table names it.
    expect(() => fonts.withFiles([light]).resolve('NaPecZTIAOhVxoMyOr9n_E7fRMTsDIRSfr0')).toThrow(
      /not available/,
    );
    expect(fontFileStem('https://fonts.example/s/dm/v1/NaPecZ_E7f.ttf?v=2#x')).toBe('NaPecZ_E7f');
    expect(fontFileStem('https://cdn.example/My%20Font-Bold.otf')).toBe('My Font-Bold');
    expect(fontFileStem('s3://bucket/fonts/Lato.woff2')).toBe('Lato');
    expect(fontFileStem('https://fonts.example/css?family=Lato')).toBeUndefined();
    expect(fontFileStem('https://cdn.example/%E0%A4%A.ttf')).toBe('%E0%A4%A');
  });

  it('refuses an unreadable font file, naming it', () => {
    const bad = join(tmp.dir, 'broken-font.ttf');
    writeFileSync(bad, 'this is not a font');
    expect(() => fonts.withFiles([bad])).toThrow(/broken-font\.ttf/);
    try {
      fonts.withFiles([join(tmp.dir, 'missing.otf')]);
      expect.unreachable();
    } catch (err) {
      expect((err as CutlineError).code).toBe('VALIDATION_FAILED');
      expect((err as CutlineError).message).toMatch(/missing\.otf/);
    }
  });

  it('finds the shipped fonts in CUTLINE_FONTS_DIR when set', () => {
    const dir = join(tmp.dir, 'fonts');
    mkdirSync(dir);
    for (const f of ['OpenSans-Regular.ttf', 'OpenSans-Bold.ttf'])
      copyFileSync(join(builtinFontsDir(), f), join(dir, f));
    const before = process.env.CUTLINE_FONTS_DIR;
    process.env.CUTLINE_FONTS_DIR = dir;
    try {
      expect(FontRegistry.builtin().resolve(undefined, 700).path).toBe(join(dir, 'OpenSans-Bold.ttf'));
    } finally {
      if (before === undefined) delete process.env.CUTLINE_FONTS_DIR;
      else process.env.CUTLINE_FONTS_DIR = before;
    }
  });
});
