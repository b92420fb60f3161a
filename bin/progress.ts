export interface ProgressDetail {
  /** Video frames rendered and in all (ffmpeg's own counts, or the job's `frames`). */
  frames?: { done: number; total: number };
  /** The job's own estimate; without one, the bar estimates from its elapsed time and fraction. */
  secondsRemaining?: number;
}

const detailText = (d: ProgressDetail | undefined, eta: number | undefined): string => {
  const parts: string[] = [];
  if (d?.frames?.total) parts.push(`${d.frames.done}/${d.frames.total} frames`);
  const left = d?.secondsRemaining ?? eta;
  if (left !== undefined && Number.isFinite(left)) parts.push(`~${Math.ceil(left)} s left`);
  return parts.length ? ` ${parts.join(', ')}` : '';
};

/**
 * A one-line progress bar on a terminal (percent, frames, time left); plain lines every 10% elsewhere
 * (CI logs, pipes). The CLI feeds it the same frame counts the platform's job progress is made of.
 */
export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): (fraction: number, detail?: ProgressDetail) => void {
  let lastTenth = -1;
  let lastDrawn = '';
  const started = now();
  return (fraction, detail) => {
    const f = Math.max(0, Math.min(1, fraction));
    const elapsed = (now() - started) / 1000;
    const eta = f > 0.02 && f < 1 && elapsed > 1 ? (elapsed * (1 - f)) / f : undefined;
    if (stream.isTTY) {
      const pct = Math.floor(f * 100);
      const width = 30;
      const filled = Math.round(f * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}%${f < 1 ? detailText(detail, eta) : ''}`;
      if (line === lastDrawn) return;
      lastDrawn = line;
      // \x1b[K clears what a longer earlier line left behind.
      stream.write(`\r${line}\x1b[K`);
      if (f >= 1) stream.write('\n');
    } else {
      const tenth = Math.floor(f * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label} ${tenth * 10}%${f < 1 ? detailText(detail, undefined) : ''}\n`);
    }
  };
}
