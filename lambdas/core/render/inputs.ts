import { sourceInputOptions } from '../media/source-input.js';
import type { ProbeResult } from '../media/probe.js';

/**
 * The `-i` inputs of one ffmpeg run, each a user's source with its own options; returns stable indexes.
 * Every input is opened with the source allowlists and the demuxer its probe found (media/source-input).
 */
export class InputList {
  private readonly items: string[][] = [];

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

  get count(): number {
    return this.items.length;
  }

  args(): string[] {
    return this.items.flat();
  }
}
