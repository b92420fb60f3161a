/**
 * ffmpeg's `-progress` output, parsed (pure). ffmpeg writes `key=value` lines, a block at a time, each
 * block ending with `progress=continue` (or `progress=end` for the last). Text arrives in arbitrary
 * pieces from a pipe, so a line may be split across pieces.
 */

/** One `-progress` block: what ffmpeg has written so far. */
export interface FfmpegStats {
  /** Video frames written (0 for an audio-only output). */
  frame: number;
  /** Seconds of output written. */
  outSeconds: number;
  /** outSeconds over durationSeconds, 0–1 (0 when no duration was given). */
  fraction: number;
  /** ffmpeg's last block (`progress=end`). */
  end: boolean;
}

const LINE = /^(frame|out_time_us|progress)=\s*(\S+)/;
const COUNT = /^\d+$/;

/**
 * A parser for one ffmpeg run: `push(text)` as stdout delivers it, returns the blocks completed by it.
 * `durationSeconds` (the output's expected length) turns out_time into a fraction.
 */
export function progressParser(durationSeconds?: number): { push(text: string): FfmpegStats[] } {
  let buffered = '';
  // Values persist across blocks: out_time_us is N/A until the first packet, so the last good one stands.
  let frame = 0;
  let outSeconds = 0;
  return {
    push(text: string): FfmpegStats[] {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const blocks: FfmpegStats[] = [];
      for (const line of lines) {
        const m = LINE.exec(line);
        if (!m) continue;
        const [, key, value] = m as unknown as [string, string, string];
        if (key === 'frame') {
          if (COUNT.test(value)) frame = Number(value);
        } else if (key === 'out_time_us') {
          if (COUNT.test(value)) outSeconds = Number(value) / 1e6;
        } else {
          const fraction = durationSeconds ? Math.min(1, outSeconds / durationSeconds) : 0;
          blocks.push({ frame, outSeconds, fraction, end: value === 'end' });
        }
      }
      return blocks;
    },
  };
}
