import { CutlineError } from '../errors.js';
import { isProxyUrl } from '../net/range-proxy.js';

/**
 * The one place that decides how ffmpeg and ffprobe may open a user's source.
 *
 * Some formats are references, not media: an HLS or DASH playlist, an ffconcat list, an image2 pattern
 * open further files or URLs that the platform never vetted (a `file:///…/secret.ts` segment renders
 * another tenant's file; an `http://127.0.0.1/` segment makes the platform send requests). So a user's
 * source is opened only by the self-contained demuxers below (an allowlist: ffmpeg picks the format by
 * content, whatever the name says, and refuses any other), over the protocols the platform itself chose.
 */
export const SOURCE_DEMUXERS = [
  'mov', // mp4, m4a, mov, 3gp (external data references stay off: enable_drefs defaults to 0)
  'matroska', // mkv, webm
  'avi',
  'flv',
  'asf',
  'mpegts',
  'mpeg',
  'ogg',
  'wav',
  'aiff',
  'mp3',
  'aac',
  'flac',
  'png_pipe',
  'jpeg_pipe',
  'webp_pipe',
  'bmp_pipe',
  'tiff_pipe',
  'gif',
  // JPEGs probe as image2 by their extension; it is opened with `-pattern_type none` (one file, no `%d`).
  'image2',
] as const;

/** A downloaded or media-root source is a local file: nothing else may be opened while reading it. */
const FILE_PROTOCOLS = ['file'];
/** Any other URL (an https one) may need TLS. */
const URL_PROTOCOLS = ['http', 'https', 'tcp', 'tls'];
/**
 * Platform objects are read through the loopback range proxy (net/range-proxy.ts): plain http to
 * 127.0.0.1, and `-reconnect 1` so ffmpeg asks again where one of its block-sized answers ended.
 */
const PROXY_PROTOCOLS = ['http', 'tcp'];

const isUrl = (target: string) => /^https?:\/\//i.test(target);

/** ffprobe reports `mov,mp4,m4a,3gp,3g2,mj2`; `-f` takes the demuxer's first name. */
export function demuxerOf(formatName: string | undefined): string | undefined {
  const first = formatName?.split(',')[0];
  return first && (SOURCE_DEMUXERS as readonly string[]).includes(first) ? first : undefined;
}

/**
 * The input options to put before `-i <target>` for a user source: the protocol and demuxer allowlists,
 * and the demuxer found by the probe (so the render reads exactly what was probed).
 */
export function sourceInputOptions(target: string, format?: string): string[] {
  const proxied = isProxyUrl(target);
  return [
    '-protocol_whitelist',
    (proxied ? PROXY_PROTOCOLS : isUrl(target) ? URL_PROTOCOLS : FILE_PROTOCOLS).join(','),
    ...(proxied ? ['-reconnect', '1'] : []),
    '-format_whitelist',
    SOURCE_DEMUXERS.join(','),
    ...(format ? ['-f', format] : []),
    ...(format === 'image2' ? ['-pattern_type', 'none'] : []),
  ];
}

/** ffprobe's arguments for a user source (JSON of format and streams), with the same restrictions. */
export function sourceProbeArgs(target: string): string[] {
  return [
    '-v',
    'error',
    ...sourceInputOptions(target),
    // ffprobe (unlike ffmpeg) accepts a demuxer option before the demuxer is known.
    '-pattern_type',
    'none',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    target,
  ];
}

const KNOWN_REFERENCES: Record<string, string> = {
  hls: 'an HLS playlist',
  dash: 'a DASH manifest',
  concat: 'a concat list',
  image2: 'an image sequence',
  tee: 'a tee',
};

/**
 * ffmpeg's refusal of a demuxer or protocol off the allowlist, as the client's mistake (SOURCE_REFUSED
 * with the JSON path); undefined when the log says something else.
 */
export function refusalOf(stderr: string, at: string): CutlineError | undefined {
  const format = /\[([\w-]+) @ [^\]]*\] Format not on whitelist/.exec(stderr)?.[1];
  const protocol = /Protocol '([\w-]+)' not on whitelist/.exec(stderr)?.[1];
  if (!format && !protocol) return undefined;
  const message = format
    ? `the source is ${KNOWN_REFERENCES[format] ?? `in the ${format} format`}, which is not accepted: sources must be self-contained media (mp4/mov, webm/mkv, mpeg-ts, avi, flv, ogg, wav, mp3, aac, flac, png, jpeg, webp, gif); playlists, manifests and lists that open further files or URLs are refused`
    : `the source tries to open a ${protocol}: URL, which is not allowed; sources must be self-contained media`;
  return new CutlineError('SOURCE_REFUSED', `${at}: ${message}`, [{ path: at, message }]);
}
