/** 16-bit PCM mono WAV: what espeak-ng writes and what the word-by-word assembly writes back. */
export interface Pcm {
  rate: number;
  samples: Int16Array;
}

/** Reads a 16-bit PCM WAV (mono, or the first channel), walking its chunks. */
export function parseWav(buf: Buffer): Pcm {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a WAV file');
  let rate = 0;
  let channels = 1;
  let bits = 16;
  for (let off = 12; off + 8 <= buf.length;) {
    const id = buf.toString('ascii', off, off + 4);
    // espeak-ng streaming to a file may leave the data size unset: take what is there.
    const size = Math.min(buf.readUInt32LE(off + 4), buf.length - off - 8);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(off + 10);
      rate = buf.readUInt32LE(off + 12);
      bits = buf.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`WAV has ${bits}-bit samples, not 16`);
      const frames = Math.floor(size / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(off + 8 + i * 2 * channels);
      return { rate, samples };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

export function writeWav(pcm: Pcm): Buffer {
  const data = Buffer.alloc(pcm.samples.length * 2);
  pcm.samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(pcm.rate, 24);
  h.writeUInt32LE(pcm.rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** The samples between the first and last above `threshold` (|amplitude|), or none. */
export function trimSilence(samples: Int16Array, threshold = 300): Int16Array {
  let a = 0;
  let b = samples.length - 1;
  while (a <= b && Math.abs(samples[a]!) < threshold) a++;
  while (b >= a && Math.abs(samples[b]!) < threshold) b--;
  return samples.subarray(a, b + 1);
}
