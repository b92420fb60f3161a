import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ENV } from '../lambdas/core/config.js';
import { chromiumPath } from '../lambdas/core/html/rasterize.js';

/** The package manager families whose install command `cutline start` can name. */
export type Family = 'debian' | 'fedora' | 'alpine' | 'arch' | 'macos' | 'unknown';

export interface SystemTool {
  /** What a user calls it. */
  name: string;
  /** Without it the platform cannot render at all (start refuses), or only some assets/jobs need it. */
  required: boolean;
  /** What it is used for, said to the user. */
  usedFor: string;
  /** The package per family (Homebrew's name on macOS). */
  packages: Partial<Record<Family, string>>;
}

export const SYSTEM_TOOLS: Record<'ffmpeg' | 'espeak' | 'chromium', SystemTool> = {
  ffmpeg: {
    name: 'ffmpeg (with ffprobe)',
    required: true,
    usedFor: 'every render',
    packages: { debian: 'ffmpeg', fedora: 'ffmpeg', alpine: 'ffmpeg', arch: 'ffmpeg', macos: 'ffmpeg' },
  },
  espeak: {
    name: 'espeak-ng',
    required: false,
    usedFor: 'voice-over scenes (text to speech)',
    packages: {
      debian: 'espeak-ng',
      fedora: 'espeak-ng',
      alpine: 'espeak-ng',
      arch: 'espeak-ng',
      macos: 'espeak-ng',
    },
  },
  chromium: {
    name: 'Chromium',
    required: false,
    usedFor: 'html, svg and shape assets',
    packages: {
      debian: 'chromium',
      fedora: 'chromium',
      alpine: 'chromium',
      arch: 'chromium',
      macos: 'chromium',
    },
  },
};

/** Pure: the family from /etc/os-release's text (ID and ID_LIKE) and the Node platform. */
export function platformFamily(osRelease: string | null, platform: NodeJS.Platform): Family {
  if (platform === 'darwin') return 'macos';
  if (platform !== 'linux' || !osRelease) return 'unknown';
  const ids = [...osRelease.matchAll(/^(?:ID|ID_LIKE)=("?)([^"\n]*)\1$/gm)].flatMap((m) =>
    m[2]!.split(/\s+/),
  );
  if (ids.some((id) => ['debian', 'ubuntu'].includes(id))) return 'debian';
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'fedora';
  if (ids.includes('alpine')) return 'alpine';
  if (ids.includes('arch')) return 'arch';
  return 'unknown';
}

/** Pure: the one command that installs these packages on the family (as root where it needs it). */
export function installCommand(family: Family, packages: string[]): string {
  const list = packages.join(' ');
  switch (family) {
    case 'debian':
      return `sudo apt-get update && sudo apt-get install -y ${list}`;
    case 'fedora':
      return `sudo dnf install -y ${list}`;
    case 'alpine':
      return `sudo apk add ${list}`;
    case 'arch':
      return `sudo pacman -S --needed ${list}`;
    case 'macos':
      return `brew install ${list}`;
    default:
      return `install ${list} with your system's package manager`;
  }
}

const runs = (bin: string, args: string[]) => {
  const r = spawnSync(bin, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
};

/** Which of the tools this machine lacks (each binary as the runtime would find it). */
export function missingTools(env: NodeJS.ProcessEnv = process.env): SystemTool[] {
  const missing: SystemTool[] = [];
  const ffmpeg = env[ENV.FFMPEG_PATH] || 'ffmpeg';
  const ffprobe = env[ENV.FFPROBE_PATH] || 'ffprobe';
  if (!runs(ffmpeg, ['-version']) || !runs(ffprobe, ['-version'])) missing.push(SYSTEM_TOOLS.ffmpeg);
  if (!runs(env.CUTLINE_ESPEAK || 'espeak-ng', ['--version'])) missing.push(SYSTEM_TOOLS.espeak);
  const chromium = chromiumPath(env);
  if (!chromium || !existsSync(chromium)) missing.push(SYSTEM_TOOLS.chromium);
  return missing;
}

/** Lines for the terminal: what is missing, what it costs, and the exact command that installs it. */
export function describeMissing(missing: SystemTool[], family: Family): string[] {
  if (!missing.length) return [];
  const packages = missing.map((t) => t.packages[family] ?? t.packages.debian!);
  return [
    ...missing.map(
      (t) => `  missing:   ${t.name} — ${t.required ? 'needed for' : 'without it, no'} ${t.usedFor}`,
    ),
    `  install:   ${installCommand(family, packages)}`,
  ];
}

export function thisFamily(): Family {
  let text: string | null;
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    text = null;
  }
  return platformFamily(text, process.platform);
}
