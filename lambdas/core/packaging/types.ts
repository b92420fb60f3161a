/** A file a render wrote: the main output, or one that packaging added beside it. */
export interface RenderedFile {
  /** playlist: an HLS master; sprite + vtt: scrubbing thumbnails; preview: the preview GIF. */
  kind: 'video' | 'audio' | 'image' | 'poster' | 'thumbnail' | 'playlist' | 'sprite' | 'vtt' | 'preview';
  path: string;
  bytes: number;
  durationSeconds?: number;
  width?: number;
  height?: number;
  /** The key under the job's output prefix; defaults to the file's base name (e.g. `clip-01/master.m3u8`). */
  name?: string;
  /** Files stored next to this one and not listed as outputs (HLS segments and variant playlists). */
  companions?: Array<{ path: string; name: string }>;
}
