/** HLS playlists as data: reading media playlists, writing (and reading back) the master playlist. */

export interface MediaSegment {
  uri: string;
  duration: number;
}

export interface MediaPlaylist {
  targetDuration: number;
  segments: MediaSegment[];
  ended: boolean;
}

export interface StreamInf {
  uri: string;
  bandwidth: number;
  averageBandwidth?: number;
  width: number;
  height: number;
  codecs?: string;
  frameRate?: number;
}

/** Attribute lists (`A=1,B="x,y",C=2x3`), split on commas outside quotes. */
export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    out[m[1]!] = m[2]!.startsWith('"') ? m[2]!.slice(1, -1) : m[2]!;
  }
  return out;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (no #EXTM3U)');
  const segments: MediaSegment[] = [];
  let targetDuration = 0;
  let pending: number | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.split(':')[1]);
    else if (line.startsWith('#EXTINF:')) pending = Number(line.slice(8).split(',')[0]);
    else if (line && !line.startsWith('#')) {
      if (pending === undefined) throw new Error(`segment ${line} has no #EXTINF`);
      segments.push({ uri: line, duration: pending });
      pending = undefined;
    }
  }
  return { targetDuration, segments, ended: lines.includes('#EXT-X-ENDLIST') };
}

export function parseMasterPlaylist(text: string): StreamInf[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (no #EXTM3U)');
  const out: StreamInf[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const a = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    const [w, h] = (a.RESOLUTION ?? '0x0').split('x').map(Number);
    const uri = lines.slice(i + 1).find((l) => l && !l.startsWith('#'));
    if (!uri) throw new Error('#EXT-X-STREAM-INF without a URI');
    out.push({
      uri,
      bandwidth: Number(a.BANDWIDTH),
      ...(a['AVERAGE-BANDWIDTH'] ? { averageBandwidth: Number(a['AVERAGE-BANDWIDTH']) } : {}),
      width: w!,
      height: h!,
      ...(a.CODECS ? { codecs: a.CODECS } : {}),
      ...(a['FRAME-RATE'] ? { frameRate: Number(a['FRAME-RATE']) } : {}),
    });
  });
  return out;
}

/**
 * BANDWIDTH is the peak segment bit rate (RFC 8216 §4.3.4.2: the largest bits/second of any segment,
 * container overhead and audio included) and AVERAGE-BANDWIDTH the whole stream's, both measured from
 * the segments as written, rounded up.
 */
export function measureBandwidth(segments: ReadonlyArray<{ bytes: number; duration: number }>): {
  peak: number;
  average: number;
} {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const s of segments) {
    if (s.duration > 0) peak = Math.max(peak, (s.bytes * 8) / s.duration);
    bytes += s.bytes;
    seconds += s.duration;
  }
  return { peak: Math.ceil(peak), average: seconds > 0 ? Math.ceil((bytes * 8) / seconds) : 0 };
}

export function writeMasterPlaylist(variants: readonly StreamInf[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      ...(v.averageBandwidth !== undefined ? [`AVERAGE-BANDWIDTH=${v.averageBandwidth}`] : []),
      `RESOLUTION=${v.width}x${v.height}`,
      ...(v.codecs ? [`CODECS="${v.codecs}"`] : []),
      ...(v.frameRate ? [`FRAME-RATE=${v.frameRate.toFixed(3)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}

const AVC_PROFILES: Record<string, string> = {
  'Constrained Baseline': '42C0',
  Baseline: '4200',
  Main: '4D40',
  High: '6400',
};

/** RFC 6381 codec string for H.264 from ffprobe's profile name and level (e.g. High, 31 → avc1.64001f). */
export function avcCodec(profile: string, level: number): string | undefined {
  const p = AVC_PROFILES[profile];
  if (!p || !(level > 0)) return undefined;
  return `avc1.${p}${level.toString(16).padStart(2, '0')}`.toLowerCase();
}
