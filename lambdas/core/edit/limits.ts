import { ENV } from '../config.js';

/**
 * Guard rails for what one job may ask of the platform. Every value is a deployment setting: the
 * `limits` prop of CutlinePlatform and `cutline start --limit name=value` (or `--config`) both end up as
 * JSON in CUTLINE_LIMITS, read here and nowhere else.
 */
export interface EditLimits {
  maxTracks: number;
  maxClipsPerTrack: number;
  maxClips: number;
  /** Length of the rendered timeline (or of output.range) in seconds. */
  maxDurationSeconds: number;
  maxWidth: number;
  maxHeight: number;
  /** Size of each source object, refused at submit from its headers (HEAD / object size / Content-Length). */
  maxSourceBytes: number;
  /** Pixels of one decoded source frame (width × height). */
  maxSourcePixels: number;
  /** Bytes of one decoded source frame (width × height × bytes per pixel of its pixel format). */
  maxDecodedFrameBytes: number;
  maxTextLength: number;
  maxFonts: number;
  maxMergeFields: number;
  /**
   * Size of the edit as stored (JSON bytes, after merge). The job item holding it must fit DynamoDB's
   * 400 KB with room for what the pipeline adds; a merge is measured before it is applied.
   */
  maxRequestBytes: number;
  /** Per-kind upload sizes (POST /v1/uploads): images, audio, and caption/font files; video is maxSourceBytes. */
  maxImageUploadBytes: number;
  maxAudioUploadBytes: number;
  maxTextUploadBytes: number;
}

/**
 * Defaults sized for real work: an hour of 1080p at 10 Mbps is ~4.5 GB and workers read only the byte
 * ranges they need, so a source may be 10 GiB (also what one Lambda's /tmp holds, for the https sources
 * that are still fetched whole). 64 MP fits 8K video (33 MP) and large photos; a decoded frame of
 * 512 MiB is 64 MP at 8 bytes per pixel (16-bit RGBA). 50 tracks: Shotstack Studio's own templates use up
 * to 30 (one layer each; the clip limits bound the graph's size).
 */
export const DEFAULT_LIMITS: Readonly<EditLimits> = Object.freeze({
  maxTracks: 50,
  maxClipsPerTrack: 200,
  maxClips: 500,
  maxDurationSeconds: 3 * 3600,
  maxWidth: 3840,
  maxHeight: 3840,
  maxSourceBytes: 10 * 1024 ** 3,
  maxSourcePixels: 64 * 1024 * 1024,
  maxDecodedFrameBytes: 512 * 1024 * 1024,
  maxTextLength: 5000,
  maxFonts: 10,
  maxMergeFields: 200,
  maxRequestBytes: 256 * 1024,
  // A 64 MP 16-bit PNG is ~200 MB; three hours of 48 kHz stereo WAV ~2 GB; captions and fonts are small.
  maxImageUploadBytes: 256 * 1024 ** 2,
  maxAudioUploadBytes: 2 * 1024 ** 3,
  maxTextUploadBytes: 32 * 1024 ** 2,
});

export type LimitName = keyof EditLimits;
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

const isBytes = (name: string) => /Bytes$/.test(name);
const isSeconds = (name: string) => /Seconds$/.test(name);

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};
const SECOND_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, min: 60, h: 3600 };

/** A bad limit setting: names the setting and where it came from, so a deployment fails at start, clearly. */
export class LimitSettingError extends Error {
  override name = 'LimitSettingError';
}

/**
 * Pure: one limit's value from text: `5GB` (10^9), `5GiB` (2^30), `100MB`, `3h`, `90m`, `1e9` or a plain
 * number. Whole numbers only, more than 0.
 */
export function parseLimitValue(name: string, text: string, origin = 'limit'): number {
  if (!(LIMIT_NAMES as string[]).includes(name))
    throw new LimitSettingError(
      `${origin}: unknown limit "${name}"; the limits are ${LIMIT_NAMES.join(', ')}`,
    );
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const units = isBytes(name) ? BYTE_UNITS : isSeconds(name) ? SECOND_UNITS : { '': 1 };
  const unit = m?.[2]?.toLowerCase() ?? '';
  const factor = m ? units[unit] : undefined;
  const value = m && factor ? Math.round(Number(m[1]) * factor) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    const hint = isBytes(name)
      ? ' (bytes: e.g. 5GB, 5GiB, 500MB or a number)'
      : isSeconds(name)
        ? ' (seconds: e.g. 3h, 90m, 600 or a number)'
        : ' (a whole number)';
    throw new LimitSettingError(`${origin}: ${name}=${text} is not a positive whole value${hint}`);
  }
  return value;
}

/** Pure: `name=value` assignments (the CLI's repeated `--limit`) → limit overrides. */
export function parseLimitAssignments(items: readonly string[], origin = '--limit'): Partial<EditLimits> {
  const out: Partial<EditLimits> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new LimitSettingError(`${origin}: "${item}" is not name=value (e.g. maxSourceBytes=5GB)`);
    const name = item.slice(0, eq).trim();
    out[name as LimitName] = parseLimitValue(name, item.slice(eq + 1), origin);
  }
  return out;
}

/** Pure: limits from an object (a config file's `limits`, the construct prop, the env JSON); values may be text. */
export function checkLimitOverrides(raw: unknown, origin: string): Partial<EditLimits> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new LimitSettingError(`${origin}: limits must be an object of name → value`);
  const out: Partial<EditLimits> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'number' && typeof v !== 'string')
      throw new LimitSettingError(`${origin}: ${name} must be a number or text such as 5GB`);
    out[name as LimitName] = parseLimitValue(name, String(v), origin);
  }
  return out;
}

let cached: { text: string; limits: EditLimits } | undefined;

/** The deployment's limits: the defaults with CUTLINE_LIMITS (JSON) over them. Throws on a bad setting. */
export function deploymentLimits(env: NodeJS.ProcessEnv = process.env): EditLimits {
  const text = env[ENV.LIMITS] ?? '';
  if (cached?.text === text) return cached.limits;
  let raw: unknown;
  try {
    raw = text ? JSON.parse(text) : {};
  } catch {
    throw new LimitSettingError(`${ENV.LIMITS} is not JSON: ${text.slice(0, 80)}`);
  }
  const limits = { ...DEFAULT_LIMITS, ...checkLimitOverrides(raw, ENV.LIMITS) };
  cached = { text, limits };
  return limits;
}

/**
 * Limits from a config file: `{ "limits": { "maxSourceBytes": "5GB", … } }` (other keys are for other
 * settings and are left alone). Pure apart from reading the file.
 */
export async function limitsFromConfigFile(path: string): Promise<Partial<EditLimits>> {
  const { readFile } = await import('node:fs/promises');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new LimitSettingError(`--config ${path}: ${(err as Error).message}`);
  }
  return checkLimitOverrides((raw as { limits?: unknown } | null)?.limits, `--config ${path}: limits`);
}

/** The env entry that carries limits to the handlers (construct props, the local runtime). */
export const limitsEnv = (overrides: Partial<EditLimits>): Record<string, string> =>
  Object.keys(overrides).length
    ? { [ENV.LIMITS]: JSON.stringify(checkLimitOverrides(overrides, 'limits')) }
    : {};

/** The limits one call runs under: the deployment's, with per-call overrides (tests, the CLI) over them. */
export function resolveLimits(overrides: Partial<EditLimits> = {}): EditLimits {
  return { ...deploymentLimits(), ...overrides };
}

/** `maxSourceBytes = 100 MB (104857600 bytes)`: the limit's name and value, for refusals. */
export function describeLimit(name: LimitName, value: number): string {
  if (!isBytes(name) || value < 1024) return `${name} = ${value}${isBytes(name) ? ' bytes' : ''}`;
  const [unit, size] =
    value >= 1024 ** 3 ? ['GiB', 1024 ** 3] : value >= 1024 ** 2 ? ['MiB', 1024 ** 2] : ['KiB', 1024];
  return `${name} = ${Math.round((value / size) * 10) / 10} ${unit} (${value} bytes)`;
}
