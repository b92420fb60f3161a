import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The families Shotstack documents as built in (edits name them without `timeline.fonts`), from freely
 * licensed files: Google Fonts' TTFs as the @expo-google-fonts npm packages ship them (OFL), Open Sans and
 * Clear Sans (Apache-2.0, from Debian) in assets/fonts. A face is described here, not parsed, so a
 * render parses only the faces it draws with.
 */
export interface BuiltinFace {
  family: string;
  weight: number;
  /** The weight's name (Thin … Black): "Montserrat ExtraBold" names that one face. */
  style: string;
  italic: boolean;
  /** The file's name; found in the package's folder, in assets/fonts, or flat in CUTLINE_FONTS_DIR. */
  file: string;
  pkg?: string;
  /** The file's folder inside its package. */
  sub?: string;
}

const WEIGHTS: Array<[number, string]> = [
  [100, 'Thin'],
  [200, 'ExtraLight'],
  [300, 'Light'],
  [400, 'Regular'],
  [500, 'Medium'],
  [600, 'SemiBold'],
  [700, 'Bold'],
  [800, 'ExtraBold'],
  [900, 'Black'],
];

/** An @expo-google-fonts package's faces: `<weight><Name>[_Italic]/<Family>_<weight><Name>[_Italic].ttf`. */
function google(
  family: string,
  pkg: string,
  prefix: string,
  weights: number[],
  folders = true,
): BuiltinFace[] {
  return WEIGHTS.filter(([w]) => weights.includes(w)).flatMap(([w, name]) =>
    [false, true].map((italic) => {
      const stem = `${w}${name}${italic ? '_Italic' : ''}`;
      return {
        family,
        weight: w,
        style: name,
        italic,
        file: `${prefix}_${stem}.ttf`,
        pkg,
        ...(folders ? { sub: stem } : {}),
      };
    }),
  );
}

const ALL = WEIGHTS.map(([w]) => w);
const local = (family: string, weight: number, italic: boolean, file: string): BuiltinFace => ({
  family,
  weight,
  style: WEIGHTS.find(([w]) => w === weight)![1],
  italic,
  file,
});

export const BUILTIN_FACES: readonly BuiltinFace[] = [
  local('Open Sans', 400, false, 'OpenSans-Regular.ttf'),
  local('Open Sans', 700, false, 'OpenSans-Bold.ttf'),
  ...google('Open Sans', '@expo-google-fonts/open-sans', 'OpenSans', [300, 500, 600, 800]),
  ...google('Montserrat', '@expo-google-fonts/montserrat', 'Montserrat', ALL),
  ...google('Roboto', '@expo-google-fonts/roboto', 'Roboto', ALL),
  ...google('Work Sans', '@expo-google-fonts/work-sans', 'WorkSans', ALL),
  ...google('Arapey', '@expo-google-fonts/arapey', 'Arapey', [400], false),
  local('Clear Sans', 100, false, 'ClearSans-Thin.ttf'),
  local('Clear Sans', 300, false, 'ClearSans-Light.ttf'),
  local('Clear Sans', 400, false, 'ClearSans-Regular.ttf'),
  local('Clear Sans', 400, true, 'ClearSans-Italic.ttf'),
  local('Clear Sans', 500, false, 'ClearSans-Medium.ttf'),
  local('Clear Sans', 700, false, 'ClearSans-Bold.ttf'),
  local('Clear Sans', 700, true, 'ClearSans-BoldItalic.ttf'),
];

const require = createRequire(import.meta.url);
const packageDirs = new Map<string, string | null>();
function packageDir(pkg: string): string | null {
  if (!packageDirs.has(pkg)) {
    let dir: string | null;
    try {
      dir = dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      dir = null;
    }
    packageDirs.set(pkg, dir);
  }
  return packageDirs.get(pkg)!;
}

/** The names a face answers to, lower-cased: its family, and (upright faces) "Family Style" as Shotstack's font list spells them. */
export function faceKeys(face: BuiltinFace): string[] {
  const f = face.family.toLowerCase();
  if (face.italic) return [f];
  const s = face.style.toLowerCase();
  return [
    ...new Set([f, `${f} ${s}`, `${f}-${s}`, `${f.replace(/ /g, '')} ${s}`, `${f.replace(/ /g, '')}-${s}`]),
  ];
}

/** Where a face's file is: CUTLINE_FONTS_DIR holds every file flat (the Lambda bundle); else its package or assets/fonts. */
export function builtinFacePath(face: BuiltinFace, assetsDir: string, flatDir?: string): string | undefined {
  const candidates = [
    ...(flatDir ? [join(flatDir, face.file)] : []),
    ...(face.pkg && packageDir(face.pkg) ? [join(packageDir(face.pkg)!, face.sub ?? '', face.file)] : []),
    join(assetsDir, face.file),
  ];
  return candidates.find((p) => existsSync(p));
}
