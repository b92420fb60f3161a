import { CutlineError, type IssueDetail } from '../errors.js';
import { generationSettings, NO_GENERATOR } from '../providers/generation/settings.js';

/**
 * Parts of Shotstack's Edit API that cutline knows but cannot do here, found before the schema runs so
 * the client hears why (NOT_SUPPORTED, naming what would be needed) instead of "unknown asset type".
 * Reads the raw JSON (and whether the deployment generates images and video): no I/O.
 */

/**
 * AI asset types, refused here only where the deployment has no generator (providers/generation); where
 * it has one, a job generates them before the render (providers/edit-generation.ts).
 */
const GENERATED: Record<string, string> = {
  'text-to-image': `text-to-image assets need an image generation provider, and ${NO_GENERATOR}; or generate the image elsewhere and use an image asset with its src`,
  'image-to-video': `image-to-video assets need a video generation provider, and ${NO_GENERATOR}; or generate the clip elsewhere and use a video asset with its src`,
};
/** A video asset's `prompt` (Shotstack's generate-in-place form) is not built: the image-to-video asset is. */
const VIDEO_PROMPT =
  'a video asset with a prompt is not supported: use an image-to-video asset (src: the first frame, prompt: the motion), or a generate scene in a project';

const DESTINATIONS = ['s3', 'shotstack'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

const generates = () => generationSettings().generator !== 'none';

export function checkUnsupported(edit: unknown): void {
  if (!isObject(edit)) return;
  const problems: IssueDetail[] = [];
  const timeline = edit.timeline;
  const tracks = isObject(timeline) && Array.isArray(timeline.tracks) ? timeline.tracks : [];
  tracks.forEach((track: unknown, t) => {
    const clips = isObject(track) && Array.isArray(track.clips) ? track.clips : [];
    clips.forEach((clip: unknown, c) => {
      const asset = isObject(clip) ? clip.asset : undefined;
      if (!isObject(asset)) return;
      const at = `timeline.tracks[${t}].clips[${c}].asset`;
      // Own keys only: a type such as "valueOf" must not find Object.prototype's.
      const why =
        typeof asset.type === 'string' && Object.hasOwn(GENERATED, asset.type) && !generates()
          ? GENERATED[asset.type]
          : undefined;
      if (why) problems.push({ path: `${at}.type`, message: why });
      if (asset.type === 'video' && asset.prompt !== undefined)
        problems.push({
          path: `${at}.prompt`,
          message: generates() ? VIDEO_PROMPT : GENERATED['image-to-video']!,
        });
    });
  });
  const output = edit.output;
  const destinations = isObject(output) && Array.isArray(output.destinations) ? output.destinations : [];
  destinations.forEach((d: unknown, i) => {
    const provider = isObject(d) ? d.provider : undefined;
    if (typeof provider === 'string' && !DESTINATIONS.includes(provider))
      problems.push({
        path: `output.destinations[${i}].provider`,
        message: `the "${provider}" destination is not supported: cutline sends files to "s3" (a bucket in your own account that the deployment allows) or keeps them in its own outputs bucket ("shotstack")`,
      });
  });
  if (problems.length)
    throw new CutlineError('NOT_SUPPORTED', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
}
