import { describe, expect, it } from 'vitest';
import { hlsArgs } from '../../../lambdas/core/packaging/hls.js';
import { maxrateFor, selectLadder } from '../../../lambdas/core/packaging/ladder.js';
import { applyArgs, parseMeasure } from '../../../lambdas/core/packaging/loudness.js';
import {
  avcCodec,
  measureBandwidth,
  parseMasterPlaylist,
  parseMediaPlaylist,
  writeMasterPlaylist,
} from '../../../lambdas/core/packaging/playlist.js';
import { parseSpriteVtt, spriteGrid, spriteVtt, tileAt } from '../../../lambdas/core/packaging/sprite.js';

describe('HLS ladder', () => {
  it('never upscales: rungs above the source short side are dropped, highest first', () => {
    const ladder = [1080, 720, 480, 360];
    expect(
      selectLadder({ width: 1920, height: 1080 }, ladder).map((v) => [v.name, v.width, v.height]),
    ).toEqual([
      ['1080p', 1920, 1080],
      ['720p', 1280, 720],
      ['480p', 854, 480],
      ['360p', 640, 360],
    ]);
    expect(selectLadder({ width: 1280, height: 720 }, [360, 1080, 720]).map((v) => v.name)).toEqual([
      '720p',
      '360p',
    ]);
    // Portrait: the rung is the short side (width).
    expect(selectLadder({ width: 720, height: 1280 }, ladder).map((v) => [v.width, v.height])).toEqual([
      [720, 1280],
      [480, 854],
      [360, 640],
    ]);
    // Smaller than every rung: one variant at the source size.
    expect(selectLadder({ width: 320, height: 180 }, ladder).map((v) => [v.name, v.width, v.height])).toEqual(
      [['180p', 320, 180]],
    );
    for (const w of [200, 333, 641, 1000, 1921, 3840])
      for (const v of selectLadder({ width: w, height: Math.round((w * 9) / 16 / 2) * 2 }, ladder)) {
        expect(v.width).toBeLessThanOrEqual(w);
        expect((v.width % 2) + (v.height % 2)).toBe(0);
      }
  });

  it('bitrate caps shrink with the frame', () => {
    expect(maxrateFor(1080)).toBe(5000);
    expect(maxrateFor(720)).toBeLessThan(maxrateFor(1080));
    expect(maxrateFor(360)).toBeLessThan(maxrateFor(480));
  });

  it('every variant gets the same forced keyframes and GOP, so segments align', () => {
    const variants = selectLadder({ width: 1280, height: 720 }, [720, 360]);
    const args = hlsArgs({
      input: 'in.mp4',
      folder: '/o/x-hls',
      variants,
      segmentSeconds: 4,
      fps: { num: 30000, den: 1001 },
      hasAudio: true,
    });
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect(at('-force_key_frames')).toBe('expr:gte(t,n_forced*4)');
    expect(at('-g')).toBe('120');
    expect(at('-sc_threshold')).toBe('0');
    expect(at('-bf')).toBe('0');
    expect(at('-var_stream_map')).toBe('v:0,a:0,name:720p v:1,a:1,name:360p');
    expect(at('-filter_complex')).toBe(
      '[0:v]split=2[s0][s1];[s0]scale=1280:720,setsar=1[v0];[s1]scale=640:360,setsar=1[v1]',
    );
    expect(args.at(-1)).toBe('/o/x-hls/%v/index.m3u8');
  });
});

describe('HLS playlists', () => {
  const media = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXTINF:4.000000,',
    'seg-00000.ts',
    '#EXTINF:1.500000,',
    'seg-00001.ts',
    '#EXT-X-ENDLIST',
  ].join('\n');

  it('reads a media playlist', () => {
    expect(parseMediaPlaylist(media)).toEqual({
      targetDuration: 4,
      ended: true,
      segments: [
        { uri: 'seg-00000.ts', duration: 4 },
        { uri: 'seg-00001.ts', duration: 1.5 },
      ],
    });
    expect(() => parseMediaPlaylist('seg.ts')).toThrow(/EXTM3U/);
  });

  it('BANDWIDTH is the peak segment bit rate, AVERAGE-BANDWIDTH the mean', () => {
    // 1 MB in 4 s = 2 Mb/s; 0.5 MB in 1.5 s = 2.67 Mb/s (the short last segment is the peak).
    expect(
      measureBandwidth([
        { bytes: 1_000_000, duration: 4 },
        { bytes: 500_000, duration: 1.5 },
      ]),
    ).toEqual({ peak: 2_666_667, average: 2_181_819 });
  });

  it('writes a master playlist that reads back the same, quoted CODECS included', () => {
    const variants = [
      {
        uri: '720p/index.m3u8',
        bandwidth: 3_000_000,
        averageBandwidth: 2_000_000,
        width: 1280,
        height: 720,
        codecs: 'avc1.64001f,mp4a.40.2',
        frameRate: 25,
      },
      { uri: '360p/index.m3u8', bandwidth: 900_000, width: 640, height: 360 },
    ];
    const text = writeMasterPlaylist(variants);
    expect(text).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=25.000\n720p/index.m3u8',
    );
    expect(parseMasterPlaylist(text)).toEqual(variants);
  });

  it('RFC 6381 codec strings', () => {
    expect(avcCodec('High', 31)).toBe('avc1.64001f');
    expect(avcCodec('Main', 40)).toBe('avc1.4d4028');
    expect(avcCodec('Constrained Baseline', 30)).toBe('avc1.42c01e');
    expect(avcCodec('High 4:4:4 Predictive', 40)).toBeUndefined();
  });
});

describe('thumbnail sprite and VTT', () => {
  it('VTT xywh coordinates are the grid tiles, row by row, and cues cover the video', () => {
    const grid = spriteGrid(
      { width: 1280, height: 720, duration: 23.5 },
      { interval: 2, width: 160, columns: 5 },
    );
    expect(grid).toEqual({ interval: 2, tiles: 12, columns: 5, rows: 3, tileWidth: 160, tileHeight: 90 });
    const cues = parseSpriteVtt(spriteVtt(grid, 23.5, 'out-sprite.jpg'));
    expect(cues).toHaveLength(12);
    cues.forEach((c, i) => {
      expect(c).toEqual({
        image: 'out-sprite.jpg',
        start: i * 2,
        end: Math.min(23.5, i * 2 + 2),
        x: (i % 5) * 160,
        y: Math.floor(i / 5) * 90,
        w: 160,
        h: 90,
      });
      expect(tileAt(grid, i, 23.5)).toMatchObject({ x: c.x, y: c.y });
    });
    // Every tile lies inside the sheet.
    for (const c of cues) {
      expect(c.x + c.w).toBeLessThanOrEqual(grid.columns * grid.tileWidth);
      expect(c.y + c.h).toBeLessThanOrEqual(grid.rows * grid.tileHeight);
    }
  });

  it('timestamps past an hour; default interval widens for long videos; tiles never wider than the video', () => {
    const grid = spriteGrid({ width: 1920, height: 1080, duration: 3725 });
    expect(grid.interval).toBe(19);
    expect(grid.tiles).toBeLessThanOrEqual(200);
    expect(spriteVtt(grid, 3725, 's.jpg')).toContain('01:01:45.000 --> 01:02:04.000\ns.jpg#xywh=');
    expect(spriteGrid({ width: 120, height: 90, duration: 3 }).tileWidth).toBe(120);
    expect(spriteGrid({ width: 1080, height: 1920, duration: 3 }).tileHeight).toBe(284);
    expect(() => spriteGrid({ width: 320, height: 180, duration: 5000 }, { interval: 1 })).toThrow(
      /1000 tiles/,
    );
  });
});

describe('loudness', () => {
  it('pass 2 applies pass 1’s measurement linearly, copies the video and re-encodes audio at 48 kHz', () => {
    const log =
      'junk\n[Parsed_loudnorm_0 @ 0x1]\n{\n"input_i" : "-31.20",\n"input_tp" : "-20.01",\n"input_lra" : "0.00",\n"input_thresh" : "-41.20",\n"target_offset" : "0.10"\n}\n';
    const m = parseMeasure(log);
    expect(m.input_i).toBe('-31.20');
    const args = applyArgs('in.mp4', 'out.mp4', 'mp4', m, { target: -16, truePeak: -1 });
    expect(args[args.indexOf('-af') + 1]).toBe(
      'loudnorm=I=-16:TP=-1:LRA=50:measured_I=-31.20:measured_TP=-20.01:measured_LRA=0.00:measured_thresh=-41.20:offset=0.10:linear=true',
    );
    expect(args.slice(args.indexOf('-c'), args.indexOf('-c') + 2)).toEqual(['-c', 'copy']);
    expect(args).toContain('48000');
    expect(applyArgs('in.webm', 'o.webm', 'webm', m, { target: -14, truePeak: -1 })).toContain('libopus');
    expect(() => parseMeasure('no json here')).toThrow(/no measurement/);
  });
});
