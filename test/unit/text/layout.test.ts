import { describe, expect, it } from 'vitest';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';
import { layoutText, measureText } from '../../../lambdas/core/text/layout.js';

const fonts = FontRegistry.builtin();
const face = fonts.resolve('Open Sans', 400);

describe('layoutText', () => {
  it('measures a single line and sizes the block in whole pixels', () => {
    const l = layoutText({ text: 'Hello world', face, sizePx: 40, align: 'left', padding: 5 });
    expect(l.lines).toHaveLength(1);
    const w = measureText(face, 'Hello world', 40);
    expect(w).toBeGreaterThan(150);
    expect(l.lines[0]).toMatchObject({ text: 'Hello world', x: 5, top: 5, width: w });
    expect(l.width).toBe(Math.ceil(w) + 10);
    expect(l.height).toBe(48 + 10);
    expect(Number.isInteger(l.width) && Number.isInteger(l.height)).toBe(true);
    // Baseline: half-leading plus the ascender, inside the line box.
    expect(l.lines[0]!.baseline).toBeGreaterThan(5 + 0.7 * 40);
    expect(l.lines[0]!.baseline).toBeLessThan(5 + 48);
  });

  it('wraps at spaces to maxWidth, keeping every word', () => {
    const text = 'the quick brown fox jumps over the lazy dog again and again';
    const l = layoutText({ text, face, sizePx: 24, align: 'left', maxWidth: 150 });
    expect(l.lines.length).toBeGreaterThan(2);
    for (const line of l.lines) {
      expect(line.width).toBeLessThanOrEqual(150);
      expect(line.text).toBe(line.text.trim());
    }
    expect(l.lines.map((x) => x.text).join(' ')).toBe(text);
    // Greedy: the next line's first word would not have fitted on the previous line.
    for (let i = 1; i < l.lines.length; i++) {
      const next = l.lines[i]!.text.split(' ')[0]!;
      expect(measureText(face, `${l.lines[i - 1]!.text} ${next}`, 24)).toBeGreaterThan(150);
    }
    // Lines stack one advance apart.
    l.lines.forEach((line, i) => expect(line.top).toBe(Math.round(i * 24 * 1.2)));
    expect(l.height).toBe(Math.round(l.lines.length * 24 * 1.2));
  });

  it('honours explicit newlines (LF and CRLF), including blank lines', () => {
    const l = layoutText({ text: 'one\r\ntwo\n\nthree', face, sizePx: 20, align: 'left', lineHeight: 1.5 });
    expect(l.lines.map((x) => x.text)).toEqual(['one', 'two', '', 'three']);
    expect(l.lines.map((x) => x.top)).toEqual([0, 30, 60, 90]);
    expect(l.height).toBe(120);
  });

  it('breaks a word longer than the line between characters', () => {
    const word = 'Supercalifragilisticexpialidocious';
    const l = layoutText({ text: `a ${word} b`, face, sizePx: 20, align: 'left', maxWidth: 80 });
    expect(l.lines[0]!.text).toBe('a');
    const pieces = l.lines.slice(1, -1).map((x) => x.text);
    expect(pieces.join('')).toBe(word);
    expect(pieces.length).toBeGreaterThan(2);
    for (const line of l.lines) expect(line.width).toBeLessThanOrEqual(80);
    expect(l.lines.at(-1)!.text.endsWith('b')).toBe(true);
  });

  it('aligns lines left, centre and right within the widest line', () => {
    const text = 'a much longer first line\nshort';
    const left = layoutText({ text, face, sizePx: 30, align: 'left', padding: 4 });
    const center = layoutText({ text, face, sizePx: 30, align: 'center', padding: 4 });
    const right = layoutText({ text, face, sizePx: 30, align: 'right', padding: 4 });
    const [wide, short] = center.lines;
    expect(wide!.x).toBe(4);
    expect(left.lines[1]!.x).toBe(4);
    expect(Math.abs(short!.x + short!.width / 2 - center.width / 2)).toBeLessThanOrEqual(1);
    expect(right.lines[1]!.x + right.lines[1]!.width).toBe(right.width - 4);
    expect(right.lines[0]!.x + right.lines[0]!.width).toBe(right.width - 4);
  });

  it('aligns within a fixed width when one is given', () => {
    const l = layoutText({ text: 'Hi', face, sizePx: 30, align: 'right', padding: 10, width: 300 });
    expect(l.width).toBe(300);
    expect(l.lines[0]!.x + l.lines[0]!.width).toBe(290);
    const c = layoutText({ text: 'Hi', face, sizePx: 30, align: 'center', width: 300 });
    expect(Math.abs(c.lines[0]!.x + c.lines[0]!.width / 2 - 150)).toBeLessThanOrEqual(1);
  });

  it('adds letter spacing between characters', () => {
    const plain = measureText(face, 'ABCD', 30);
    expect(measureText(face, 'ABCD', 30, 5)).toBe(plain + 15);
    const l = layoutText({ text: 'ABCD', face, sizePx: 30, align: 'left', letterSpacing: 5 });
    expect(l.lines[0]!.width).toBe(plain + 15);
  });

  it('drops control characters and turns tabs into spaces', () => {
    const l = layoutText({ text: 'a\tb\u0007c', face, sizePx: 20, align: 'left' });
    expect(l.lines[0]!.text).toBe('a bc');
  });
});
