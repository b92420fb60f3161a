import { sourceInputOptions } from '../media/source-input.js';
import type { ProbeResult } from '../media/probe.js';
import { formatNumber } from '../filtergraph/graph.js';

/**
 * The `-i` inputs of one ffmpeg run, each a user's source with its own options; returns stable indexes.
 * Every input is opened with the source allowlists and the demuxer its probe found (media/source-input).
 */
/** A clip's span of one source: its video and its sound are read by one demuxer (one input). */
interface Span {
  key: string;
  path: string;
  seek: number;
  duration: number;
  video: boolean;
  audio: boolean;
  /** The source's own options (allowlists, demuxer), printed after the span's. */
  rest: string[];
}

export class InputList {
  private readonly items: Array<string[] | Span> = [];

  /** `threads` bounds each input's decoder too; -threads after the inputs only bounds the encoder. */
  constructor(private readonly threads?: number) {}

  addSource(
    media: { path: string; probe: Pick<ProbeResult, 'format'> },
    options: readonly string[] = [],
  ): number {
    this.items.push([
      ...options,
      ...(this.threads ? ['-threads', String(this.threads)] : []),
      ...sourceInputOptions(media.path, media.probe.format),
      '-i',
      media.path,
    ]);
    return this.items.length - 1;
  }

  /**
   * Opens [seek, seek + duration) of a clip's source for one stream, or shares the input already open
   * for the same clip (`key`) and source when it starts no later: returns its index and where it starts,
   * so the caller drops what comes before its own start. Sharing widens the span to cover both.
   */
  addClipSpan(
    media: { path: string; probe: Pick<ProbeResult, 'format'> },
    key: string,
    span: { seek: number; duration: number },
    stream: 'video' | 'audio',
  ): { index: number; seek: number } {
    const found = this.items.findIndex(
      (it) => !Array.isArray(it) && it.key === key && it.path === media.path && it.seek <= span.seek + 1e-9,
    );
    if (found >= 0) {
      const it = this.items[found] as Span;
      it.duration = Math.max(it.duration, span.seek + span.duration - it.seek);
      it[stream] = true;
      return { index: found, seek: it.seek };
    }
    this.items.push({
      key,
      path: media.path,
      seek: span.seek,
      duration: span.duration,
      video: stream === 'video',
      audio: stream === 'audio',
      rest: [
        ...(this.threads ? ['-threads', String(this.threads)] : []),
        ...sourceInputOptions(media.path, media.probe.format),
        '-i',
        media.path,
      ],
    });
    return { index: this.items.length - 1, seek: span.seek };
  }

  get count(): number {
    return this.items.length;
  }

  args(): string[] {
    return this.items.flatMap((it) =>
      Array.isArray(it)
        ? it
        : [
            ...(it.seek > 0 ? ['-ss', formatNumber(it.seek)] : []),
            '-t',
            formatNumber(it.duration),
            ...(it.video ? [] : ['-vn']),
            ...(it.audio ? [] : ['-an']),
            ...it.rest,
          ],
    );
  }
}
