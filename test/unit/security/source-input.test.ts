import { describe, expect, it } from 'vitest';
import {
  demuxerOf,
  refusalOf,
  SOURCE_DEMUXERS,
  sourceInputOptions,
  sourceProbeArgs,
} from '../../../lambdas/core/media/source-input.js';

describe('source-input: how a user source is opened', () => {
  it('local files: file protocol only, the demuxer allowlist, and the probed demuxer pinned', () => {
    expect(sourceInputOptions('/scratch/a.mp4', 'mov')).toEqual([
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      SOURCE_DEMUXERS.join(','),
      '-f',
      'mov',
    ]);
    expect(sourceInputOptions('/scratch/a.jpg', 'image2')).toEqual(
      expect.arrayContaining(['-f', 'image2', '-pattern_type', 'none']),
    );
  });

  it('a presigned URL: http(s) over tcp/tls, nothing else (no file, no subfile, tee, concat, data)', () => {
    const opts = sourceProbeArgs('https://bucket.s3.amazonaws.com/k?X-Amz-Signature=1');
    expect(opts[opts.indexOf('-protocol_whitelist') + 1]).toBe('http,https,tcp,tls');
  });

  it('the allowlist has no demuxer that opens further files or URLs', () => {
    for (const d of [
      'hls',
      'dash',
      'concat',
      'ffconcat',
      'tee',
      'webm_dash_manifest',
      'tty',
      'mpjpeg',
      'smil',
    ])
      expect(SOURCE_DEMUXERS as readonly string[]).not.toContain(d);
  });

  it('demuxerOf takes the first name of ffprobe’s format_name, only when allowed', () => {
    expect(demuxerOf('mov,mp4,m4a,3gp,3g2,mj2')).toBe('mov');
    expect(demuxerOf('matroska,webm')).toBe('matroska');
    expect(demuxerOf('hls')).toBeUndefined();
    expect(demuxerOf(undefined)).toBeUndefined();
  });

  it('refusalOf turns ffmpeg’s whitelist refusals into SOURCE_REFUSED with the path', () => {
    const at = 'timeline.tracks[0].clips[0].asset.src';
    const hls = refusalOf("[hls @ 0x55] Format not on whitelist 'mov,…'\n", at);
    expect(hls?.code).toBe('SOURCE_REFUSED');
    expect(hls?.details[0]).toMatchObject({ path: at, message: expect.stringMatching(/HLS playlist/) });
    expect(refusalOf("[http @ 0x1] Protocol 'http' not on whitelist 'file'!", at)?.message).toMatch(
      /http: URL/,
    );
    expect(refusalOf('moov atom not found', at)).toBeUndefined();
  });
});
