/** One rung of the HLS ladder, sized from the source's frame. */
export interface Variant {
  /** Folder name of the variant: `720p`. */
  name: string;
  width: number;
  height: number;
  /** Cap on the video bitrate (x264 VBV maxrate); bufsize is twice this. */
  maxrateKbps: number;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const evenDown = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/** 5 Mb/s at 1080p, scaled by pixels^0.75 (bits per pixel grow as frames shrink): 720p ≈ 2.7, 360p ≈ 1. */
export const maxrateFor = (short: number): number => Math.round(5000 * Math.pow(short / 1080, 1.5));

/**
 * The variants for a source: every rung (by short side) at most the source's short side, highest first,
 * so nothing is upscaled; when every rung is larger than the source, one variant at the source's size.
 */
export function selectLadder(
  source: { width: number; height: number },
  ladder: readonly number[],
): Variant[] {
  const short = Math.min(source.width, source.height);
  const rungs = [...new Set(ladder)].filter((r) => r <= short).sort((a, b) => b - a);
  if (!rungs.length) rungs.push(short);
  const landscape = source.width >= source.height;
  const sourceLong = Math.max(source.width, source.height);
  return rungs.map((r) => {
    // Rounded to even sizes, but never past the source's own (odd) size.
    const long = Math.min(even((sourceLong * r) / short), evenDown(sourceLong));
    const s = Math.min(even(r), evenDown(short));
    return {
      name: `${r}p`,
      width: landscape ? long : s,
      height: landscape ? s : long,
      maxrateKbps: maxrateFor(r),
    };
  });
}
