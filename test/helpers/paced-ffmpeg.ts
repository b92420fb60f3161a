import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in for ffmpeg (set as CUTLINE_FFMPEG) that, while pacing is on, reads every input of a chunk
 * render at its own speed (`-readrate 1` before each `-i`), so a chunk of N seconds takes at least N
 * seconds on any machine: a progress test then sees a render in motion however fast the machine is,
 * instead of hoping it is slow. Every other call (audio parts, the stitch, posters) runs as is.
 */
export interface PacedFfmpeg {
  bin: string;
  /** Pacing on (the default) or off, for the calls that start from now on. */
  pace(on: boolean): Promise<void>;
  dispose(): Promise<void>;
}

export async function pacedFfmpeg(): Promise<PacedFfmpeg> {
  const dir = await mkdtemp(join(tmpdir(), 'cutline-paced-ffmpeg-'));
  const real = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  const bin = join(dir, 'ffmpeg');
  await writeFile(
    bin,
    `#!/usr/bin/env bash
out="\${@: -1}"
[[ -e "${dir}/on" ]] || exec "${real}" "$@"
case "$(basename -- "$out")" in
  chunk-*)
    args=()
    for a in "$@"; do
      if [[ "$a" == "-i" ]]; then args+=(-readrate 1); fi
      args+=("$a")
    done
    exec "${real}" "\${args[@]}" ;;
esac
exec "${real}" "$@"
`,
  );
  await chmod(bin, 0o755);
  const on = join(dir, 'on');
  await writeFile(on, '');
  return {
    bin,
    pace: (yes) => (yes ? writeFile(on, '') : rm(on, { force: true })),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
