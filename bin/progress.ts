/** A one-line progress bar on a terminal; plain lines every 10% elsewhere (CI logs, pipes). */
export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): (fraction: number) => void {
  let lastTenth = -1;
  let lastDrawn = -1;
  return (fraction: number) => {
    const f = Math.max(0, Math.min(1, fraction));
    if (stream.isTTY) {
      const pct = Math.floor(f * 100);
      if (pct === lastDrawn) return;
      lastDrawn = pct;
      const width = 30;
      const filled = Math.round(f * width);
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}%`,
      );
      if (f >= 1) stream.write('\n');
    } else {
      const tenth = Math.floor(f * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label} ${tenth * 10}%\n`);
    }
  };
}
