import type { Output } from '../edit/schema.js';
import { CutlineError, type IssueDetail } from '../errors.js';
import { hlsPackager, mediaConvertUnavailable } from './packager.js';
import type {
  HlsPreset,
  LoudnessPreset,
  OutputPresets,
  PresetEntry,
  PresetName,
  PreviewGifPreset,
  SocialPreset,
  ThumbnailsPreset,
} from '../edit/packaging-schema.js';

/** Defaults, in one place (README's preset table repeats them). */
export const DEFAULTS = {
  hlsLadder: [1080, 720, 480, 360],
  hlsSegmentSeconds: 6,
  socialAspectRatios: ['9:16', '1:1', '16:9'] as const,
  /** -16 LUFS suits web/streaming players; social platforms normalise to about -14. */
  loudnessTarget: -16,
  socialLoudnessTarget: -14,
  truePeak: -1,
  gifStart: 0,
  gifLength: 5,
  gifWidth: 320,
  gifFps: 10,
  tileWidth: 160,
  tileColumns: 10,
  maxTiles: 200,
} as const;

type ByName = {
  hls: HlsPreset;
  web: { name: 'web' };
  social: SocialPreset;
  'preview-gif': PreviewGifPreset;
  thumbnails: ThumbnailsPreset;
  loudness: LoudnessPreset;
};

const asObject = (entry: PresetEntry) => (typeof entry === 'string' ? { name: entry } : entry);

/** The entry for one preset (a bare name becomes `{ name }`), or undefined when the output does not ask for it. */
export function findPreset<N extends PresetName>(
  presets: OutputPresets | undefined,
  name: N,
): ByName[N] | undefined {
  const hit = presets?.find((p) => (typeof p === 'string' ? p : p.name) === name);
  return hit === undefined ? undefined : (asObject(hit) as ByName[N]);
}

const VIDEO_FORMATS: ReadonlyArray<Output['format']> = ['mp4', 'mov', 'webm'];
const SOUND_FORMATS: ReadonlyArray<Output['format']> = ['mp4', 'mov', 'webm', 'mp3', 'wav'];

/**
 * Cross-field checks the schema cannot express (a preset against the output's format), so a request
 * that cannot be packaged is refused at submit with the preset's path instead of failing after the render.
 */
export function checkPresets(output: Output): void {
  const problems: IssueDetail[] = [];
  const notSupported: IssueDetail[] = [];
  (output.presets ?? []).forEach((entry, i) => {
    const name = asObject(entry).name;
    const path = `output.presets[${i}]`;
    if (['hls', 'web', 'preview-gif', 'thumbnails'].includes(name) && !VIDEO_FORMATS.includes(output.format))
      problems.push({
        path,
        message: `"${name}" needs a video output (format ${VIDEO_FORMATS.join(', ')}), not ${output.format}`,
      });
    if (name === 'web' && output.format === 'mov')
      problems.push({ path, message: '"web" makes MP4 + WebM: use format mp4 or webm' });
    if (name === 'loudness' && (!SOUND_FORMATS.includes(output.format) || output.mute))
      problems.push({
        path,
        message: `"loudness" needs an output with sound (format ${SOUND_FORMATS.join(', ')}, not muted)`,
      });
    if (name === 'hls') {
      const preset = asObject(entry) as HlsPreset;
      const why = hlsPackager(preset) === 'mediaconvert' ? mediaConvertUnavailable() : undefined;
      if (why) notSupported.push({ path: preset.packager ? `${path}.packager` : path, message: why });
    }
    if (name === 'social' && (output.format === 'mp3' || output.format === 'wav'))
      problems.push({ path, message: '"social" makes other aspect ratios: the output needs pictures' });
  });
  if (problems.length)
    throw new CutlineError('VALIDATION_FAILED', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
  if (notSupported.length)
    throw new CutlineError(
      'NOT_SUPPORTED',
      `${notSupported[0]!.path}: ${notSupported[0]!.message}`,
      notSupported,
    );
}
