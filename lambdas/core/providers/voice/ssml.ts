/** SSML is recognised by its root element, as Polly's TextType would be set. */
export const isSsml = (text: string): boolean => /^\s*<speak[\s>]/.test(text);

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
};

/** A pause or a run of words, in reading order. */
export type Piece = { pause: number } | { words: string[] };

/**
 * SSML (or plain text) as words and pauses, for engines that speak word by word: `<break time="…ms|s">`
 * and `<break strength>` become pauses, sentence and clause punctuation become pauses, every other tag is
 * dropped (its text kept). Pure.
 */
export function speechPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  const push = (p: Piece) => {
    const last = pieces.at(-1);
    if ('pause' in p && last && 'pause' in last) last.pause = Math.max(last.pause, p.pause);
    else if ('words' in p && last && 'words' in last) last.words.push(...p.words);
    else pieces.push(p);
  };
  const body = isSsml(text)
    ? text
    : text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  for (const part of body.split(/(<[^>]*>)/)) {
    if (part.startsWith('<')) {
      const brk = /^<break\b([^>]*)\/?>$/i.exec(part);
      if (!brk) continue;
      const time = /time\s*=\s*"(\d+(?:\.\d+)?)(ms|s)"/i.exec(brk[1]!);
      const strength = /strength\s*=\s*"(\w+)"/i.exec(brk[1]!)?.[1];
      const seconds = time
        ? Number(time[1]) / (time[2]!.toLowerCase() === 'ms' ? 1000 : 1)
        : ((
            { none: 0, 'x-weak': 0.1, weak: 0.2, medium: 0.4, strong: 0.7, 'x-strong': 1 } as Record<
              string,
              number
            >
          )[strength ?? 'medium'] ?? 0.4);
      push({ pause: Math.min(10, seconds) });
      continue;
    }
    const plain = part.replace(/&(?:amp|lt|gt|quot|apos);/g, (e) => ENTITIES[e]!);
    for (const token of plain.split(/\s+/).filter(Boolean)) {
      push({ words: [token] });
      if (/[.?!]["')\]]*$/.test(token)) push({ pause: 0.6 });
      else if (/[,;:]["')\]]*$/.test(token)) push({ pause: 0.3 });
    }
  }
  return pieces;
}

/** The characters a request bills: its text without tags. */
export const billedCharacters = (text: string): number => text.replace(/<[^>]*>/g, '').length;
