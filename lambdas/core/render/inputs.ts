import { readerOptions } from '../net/range-proxy.js';

/** The `-i` inputs of one ffmpeg run, each with its own options; returns stable indexes. */
export class InputList {
  private readonly items: string[][] = [];

  /** `threads` bounds each input's decoder too; -threads after the inputs only bounds the encoder. */
  constructor(private readonly threads?: number) {}

  add(path: string, options: readonly string[] = []): number {
    this.items.push([
      ...options,
      ...(this.threads ? ['-threads', String(this.threads)] : []),
      ...readerOptions(path),
      '-i',
      path,
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
