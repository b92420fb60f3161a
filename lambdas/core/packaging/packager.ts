import { ENV } from '../config.js';
import type { HlsPackager, HlsPreset } from '../edit/packaging-schema.js';

/**
 * Who packages an `hls` preset, read from the deployment in one place. On the platform (a table is
 * configured) MediaConvert is available only where the deployment enabled it (a service role is set);
 * the CLI has no pipeline, so it renders MediaConvert's settings with ffmpeg itself.
 */
export function hlsPackager(preset: HlsPreset, env: NodeJS.ProcessEnv = process.env): HlsPackager {
  return preset.packager ?? (env[ENV.HLS_PACKAGER] === 'mediaconvert' ? 'mediaconvert' : 'ffmpeg');
}

/** Why MediaConvert cannot package here, or undefined when it can. */
export function mediaConvertUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env[ENV.TABLE_NAME] || env[ENV.MEDIACONVERT_ROLE_ARN]) return undefined;
  return 'this deployment has not enabled AWS Elemental MediaConvert: deploy with the CutlinePlatform prop `mediaConvert: true` (or use "packager": "ffmpeg")';
}
