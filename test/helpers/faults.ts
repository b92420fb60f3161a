import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in for ffmpeg (set as CUTLINE_FFMPEG) that injects faults without any hook in the code: it reads
 * its mode from a file on every call and matches the output path (the last argument) against a pattern.
 *   pass            run the real ffmpeg
 *   kill-once:PAT   the first matching call starts the real ffmpeg, then dies by SIGKILL mid-render
 *   fail:PAT        every matching call exits 1 with "injected failure" on stderr
 *   hang:PAT        every matching call sleeps 120 s first (a render caught in progress)
 *   fail-late:PAT   every matching call fails as `fail` does, 5 s after it starts
 * Every call's output path is appended to `calls` (and, with its start time, to `timed`), so a test can
 * count attempts and tell which began after a moment such as a cancel. Several modes (an
 * array) apply each to the calls it matches, the first match winning.
 */
type FaultMode = 'pass' | `kill-once:${string}` | `fail:${string}` | `fail-late:${string}` | `hang:${string}`;

export interface FaultyFfmpeg {
  bin: string;
  set(mode: FaultMode | FaultMode[]): Promise<void>;
  calls(): Promise<string[]>;
  /** Each call's output path and the time it started (epoch ms). */
  timedCalls(): Promise<{ at: number; out: string }[]>;
  dispose(): Promise<void>;
}

export async function faultyFfmpeg(): Promise<FaultyFfmpeg> {
  const dir = await mkdtemp(join(tmpdir(), 'cutline-faulty-ffmpeg-'));
  const real = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  const bin = join(dir, 'ffmpeg');
  await writeFile(
    bin,
    `#!/usr/bin/env bash
dir="${dir}"
out="\${@: -1}"
echo "$out" >> "$dir/calls"
printf '%s\t%s\n' "$(date +%s%3N)" "$out" >> "$dir/timed"
while IFS= read -r mode; do
case "$mode" in
  kill-once:*)
    if [[ "$out" == *"\${mode#kill-once:}"* ]] && mkdir "$dir/killed" 2>/dev/null; then
      "${real}" "$@" < /dev/null & child=$!
      sleep 0.2
      kill -KILL "$child" 2>/dev/null
      wait "$child" 2>/dev/null
      kill -KILL $$
    fi ;;
  fail:*)
    if [[ "$out" == *"\${mode#fail:}"* ]]; then
      echo "injected failure: the encoder gave up" >&2
      exit 1
    fi ;;
  fail-late:*)
    if [[ "$out" == *"\${mode#fail-late:}"* ]]; then
      sleep 5
      echo "injected failure: the encoder gave up" >&2
      exit 1
    fi ;;
  hang:*)
    if [[ "$out" == *"\${mode#hang:}"* ]]; then sleep 120; break; fi ;;
esac
done < <(cat "$dir/mode" 2>/dev/null; echo)
exec "${real}" "$@"
`,
  );
  await chmod(bin, 0o755);
  return {
    bin,
    async set(mode) {
      await writeFile(join(dir, 'mode'), [mode].flat().join('\n'));
      await rm(join(dir, 'calls'), { force: true });
      await rm(join(dir, 'timed'), { force: true });
      await rm(join(dir, 'killed'), { recursive: true, force: true });
    },
    async calls() {
      const f = join(dir, 'calls');
      return existsSync(f) ? (await readFile(f, 'utf8')).trim().split('\n') : [];
    },
    async timedCalls() {
      const f = join(dir, 'timed');
      if (!existsSync(f)) return [];
      return (await readFile(f, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => {
          const [at, ...out] = line.split('\t');
          return { at: Number(at), out: out.join('\t') };
        });
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
