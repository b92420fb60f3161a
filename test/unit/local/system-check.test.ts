import { describe, expect, it } from 'vitest';
import {
  describeMissing,
  installCommand,
  missingTools,
  platformFamily,
  SYSTEM_TOOLS,
} from '../../../local/system-check.js';

describe('system check of cutline start', () => {
  it('knows the package manager from /etc/os-release', () => {
    expect(platformFamily('ID=debian\nVERSION_ID="12"\n', 'linux')).toBe('debian');
    expect(platformFamily('ID=ubuntu\nID_LIKE=debian\n', 'linux')).toBe('debian');
    expect(platformFamily('ID="rocky"\nID_LIKE="rhel centos fedora"\n', 'linux')).toBe('fedora');
    expect(platformFamily('ID=alpine\n', 'linux')).toBe('alpine');
    expect(platformFamily(null, 'darwin')).toBe('macos');
    expect(platformFamily(null, 'linux')).toBe('unknown');
  });

  it('names the exact install command', () => {
    expect(installCommand('debian', ['ffmpeg', 'chromium'])).toBe(
      'sudo apt-get update && sudo apt-get install -y ffmpeg chromium',
    );
    expect(installCommand('macos', ['ffmpeg'])).toBe('brew install ffmpeg');
    expect(describeMissing([SYSTEM_TOOLS.ffmpeg, SYSTEM_TOOLS.espeak], 'fedora')).toEqual([
      '  missing:   ffmpeg (with ffprobe) — needed for every render',
      '  missing:   espeak-ng — without it, no voice-over scenes (text to speech)',
      '  install:   sudo dnf install -y ffmpeg espeak-ng',
    ]);
    expect(describeMissing([], 'debian')).toEqual([]);
  });

  it('finds what this machine lacks as the runtime would look for it', () => {
    expect(missingTools({ ...process.env, CUTLINE_FFMPEG: '/nonexistent/ffmpeg' })).toContain(
      SYSTEM_TOOLS.ffmpeg,
    );
    expect(missingTools({ ...process.env, CUTLINE_CHROMIUM: '/nonexistent/chromium' })).toContain(
      SYSTEM_TOOLS.chromium,
    );
    expect(missingTools({ ...process.env, CUTLINE_ESPEAK: '/nonexistent/espeak' })).toContain(
      SYSTEM_TOOLS.espeak,
    );
    // This machine (and CI) has all three.
    expect(missingTools()).toEqual([]);
  });
});
