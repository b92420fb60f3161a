/**
 * Beat tracking in pure functions over mono PCM: spectral-flux onset strength, tempo from its
 * autocorrelation, and beats by dynamic programming (after Ellis, "Beat Tracking by Dynamic
 * Programming", 2007). Pure so it runs wherever ffmpeg can decode the track (the Lambda layer has no
 * aubio), and testable against click tracks whose beats are known.
 */

/** Samples a second the analysis expects (ffmpeg resamples to it). */
export const BEAT_RATE = 11_025;
const WINDOW = 1024;
const HOP = 256;
/** Onset frames a second. */
export const FRAME_RATE = BEAT_RATE / HOP;

export interface BeatAnalysis {
  /** Beats per minute. */
  tempo: number;
  /** Beat times in seconds, ascending. */
  beats: number[];
}

/** In-place radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/**
 * Onset strength per hop: the summed rise of log magnitude across the spectrum (spectral flux), less
 * its local mean, never below 0. A note or drum hit is a rise; a held tone is none.
 */
export function onsetStrength(samples: Float32Array): Float64Array {
  const frames = Math.max(0, Math.floor((samples.length - WINDOW) / HOP) + 1);
  const hann = new Float64Array(WINDOW).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WINDOW));
  const flux = new Float64Array(frames);
  let prev = new Float64Array(WINDOW / 2);
  const re = new Float64Array(WINDOW);
  const im = new Float64Array(WINDOW);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < WINDOW; i++) {
      re[i] = samples[f * HOP + i]! * hann[i]!;
      im[i] = 0;
    }
    fft(re, im);
    const mag = new Float64Array(WINDOW / 2);
    let rise = 0;
    for (let k = 1; k < WINDOW / 2; k++) {
      mag[k] = Math.log1p(100 * Math.hypot(re[k]!, im[k]!));
      if (f > 0) rise += Math.max(0, mag[k]! - prev[k]!);
    }
    flux[f] = rise;
    prev = mag;
  }
  // Less the mean over ~0.5 s around each frame: what stands out of its surroundings.
  const half = Math.round(FRAME_RATE / 4);
  const out = new Float64Array(frames);
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let f = 0; f < frames; f++) {
    while (hi < Math.min(frames - 1, f + half)) sum += flux[++hi]!;
    while (lo < f - half) sum -= flux[lo++]!;
    out[f] = Math.max(0, flux[f]! - sum / (hi - lo + 1));
  }
  return out;
}

/**
 * Frames per beat from the onset autocorrelation over 60–200 BPM, weighted toward 120 BPM (one octave
 * either side loses half), refined between lags by a parabola.
 */
export function beatPeriod(onsets: Float64Array): number {
  const minLag = Math.floor((60 / 200) * FRAME_RATE);
  const maxLag = Math.min(Math.ceil((60 / 60) * FRAME_RATE), onsets.length - 1);
  const ac = new Float64Array(maxLag + 2);
  for (let lag = Math.max(1, minLag - 1); lag <= maxLag + 1 && lag < onsets.length; lag++) {
    let s = 0;
    for (let i = lag; i < onsets.length; i++) s += onsets[i]! * onsets[i - lag]!;
    ac[lag] = s / (onsets.length - lag);
  }
  const preferred = (60 / 120) * FRAME_RATE;
  let best = minLag;
  let bestScore = -Infinity;
  for (let lag = minLag; lag <= maxLag; lag++) {
    const w = Math.exp(-0.5 * (Math.log2(lag / preferred) / 1) ** 2);
    const score = ac[lag]! * w;
    if (score > bestScore) [best, bestScore] = [lag, score];
  }
  const [a, b, c] = [ac[best - 1] ?? 0, ac[best]!, ac[best + 1] ?? 0];
  const d = a - 2 * b + c;
  return d < 0 ? best + (0.5 * (a - c)) / d : best;
}

/** Beat frames by dynamic programming: onsets rewarded, gaps that stray from the period penalized. */
export function trackBeats(onsets: Float64Array, period: number, tightness = 100): number[] {
  const n = onsets.length;
  if (!n) return [];
  const score = new Float64Array(n);
  const from = new Int32Array(n).fill(-1);
  const norm = Math.max(1e-9, Math.max(...onsets));
  for (let i = 0; i < n; i++) {
    let best = 0;
    let arg = -1;
    for (let p = Math.max(0, Math.round(i - 2 * period)); p <= i - Math.round(period / 2); p++) {
      const s = score[p]! - tightness * Math.log((i - p) / period) ** 2;
      if (s > best || arg < 0) [best, arg] = [s, p];
    }
    score[i] = onsets[i]! / norm + (arg >= 0 ? Math.max(0, best) : 0);
    from[i] = arg >= 0 && best > 0 ? arg : -1;
  }
  // The last beat: the best score within the final period.
  let end = n - 1;
  for (let i = Math.max(0, n - Math.round(period)); i < n; i++) if (score[i]! > score[end]!) end = i;
  const beats: number[] = [];
  for (let i = end; i >= 0; i = from[i]!) beats.push(i);
  return beats.reverse();
}

/** Tempo and beat times of mono PCM at BEAT_RATE. */
export function analyzeBeats(samples: Float32Array): BeatAnalysis {
  const onsets = onsetStrength(samples);
  if (onsets.length < FRAME_RATE * 2) return { tempo: 0, beats: [] };
  const period = beatPeriod(onsets);
  // The flux of a hit peaks when it is about 70 % into the Hann window (measured on click tracks).
  const offset = (0.7 * WINDOW) / BEAT_RATE;
  const beats = trackBeats(onsets, period).map((f) => Math.round((f / FRAME_RATE + offset) * 1000) / 1000);
  return { tempo: Math.round((60 * FRAME_RATE * 10) / period) / 10, beats };
}

/**
 * Pure: where `count` scenes cut a track of `length` seconds: each cut on the beat nearest to an even
 * share of the track (never two cuts on one beat), the first scene starting at 0 and the last ending at
 * the track's end, so the lengths sum to the track's length. Without beats the shares are even.
 */
export function beatCuts(
  beats: readonly number[],
  length: number,
  count: number,
): Array<{ start: number; length: number }> {
  const n = Math.max(1, Math.floor(count));
  return beatCutsAt(
    beats,
    length,
    Array.from({ length: n - 1 }, (_, i) => ((i + 1) * length) / n),
  );
}

/**
 * Pure: the scenes that cut a track of `length` seconds at the beats nearest to `ideals` (the cut
 * times someone proposed, ascending): an LLM proposes the lengths, the beat grid decides the cuts. A
 * beat further than half an even share from its ideal is passed over (a sparse or silent stretch) and
 * the cut stays at the ideal; the lengths sum to the track's length.
 */
export function beatCutsAt(
  beats: readonly number[],
  length: number,
  ideals: readonly number[],
): Array<{ start: number; length: number }> {
  const n = ideals.length + 1;
  const cuts: number[] = [0];
  for (const ideal of ideals) {
    const after = cuts[cuts.length - 1]!;
    const candidates = beats.filter((b) => b > after + 0.25 && b < length - 0.25);
    const best = candidates.reduce<number | undefined>(
      (a, b) => (a === undefined || Math.abs(b - ideal) < Math.abs(a - ideal) ? b : a),
      undefined,
    );
    // A beat far from the share (a sparse or silent stretch) would skew the scenes: cut at the ideal there.
    cuts.push(
      best !== undefined && Math.abs(best - ideal) <= length / n / 2 ? best : Math.max(after + 0.25, ideal),
    );
  }
  cuts.push(length);
  const at = cuts.map((t) => Math.round(t * 1000) / 1000);
  return at
    .slice(0, -1)
    .map((start, i) => ({ start, length: Math.round((at[i + 1]! - start) * 1000) / 1000 }));
}
