/** The `-i` inputs of one ffmpeg run, each with its own options; returns stable indexes. */
export class InputList {
  private readonly items: string[][] = [];

  add(path: string, options: readonly string[] = []): number {
    this.items.push([...options, '-i', path]);
    return this.items.length - 1;
  }

  get count(): number {
    return this.items.length;
  }

  args(): string[] {
    return this.items.flat();
  }
}
