import { describe, expect, it } from 'vitest';
import { captionFilters, parseCaptions } from '../../../lambdas/core/text/captions.js';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';
import { groupWords, parseTranscript } from '../../../lambdas/core/text/transcript.js';

const fonts = FontRegistry.builtin();

describe('word-level transcripts', () => {
  it('reads { words }, a bare array, and Amazon Transcribe output', () => {
    expect(parseTranscript('{"words":[{"word":"Hi","start":0.1,"end":0.4}]}')).toEqual([
      { start: 0.1, end: 0.4, text: 'Hi' },
    ]);
    expect(parseTranscript('[{"text":"Hi","start":"0.1","end":"0.4"}]')).toEqual([
      { start: 0.1, end: 0.4, text: 'Hi' },
    ]);
    const aws = {
      results: {
        items: [
          { type: 'pronunciation', start_time: '0.0', end_time: '0.3', alternatives: [{ content: 'Hello' }] },
          { type: 'punctuation', alternatives: [{ content: ',' }] },
          { type: 'pronunciation', start_time: '0.4', end_time: '0.8', alternatives: [{ content: 'world' }] },
        ],
      },
    };
    expect(parseTranscript(JSON.stringify(aws)).map((w) => w.text)).toEqual(['Hello,', 'world']);
  });

  it('refuses malformed transcripts naming the word', () => {
    expect(() => parseTranscript('{"words":[{"word":"a","start":1}]}')).toThrow(/words\[0\]/);
    expect(() => parseTranscript('{"words":[{"word":"a","start":1,"end":0.5}]}')).toThrow(/word 0/);
    expect(() => parseTranscript('{oops')).toThrow(/not valid JSON/);
  });

  it('groups words into cues at sentence ends, pauses and length limits', () => {
    const words = [
      { start: 0, end: 0.3, text: 'One' },
      { start: 0.3, end: 0.6, text: 'two.' },
      { start: 0.7, end: 1, text: 'Three' },
      { start: 2, end: 2.3, text: 'four' },
    ];
    const cues = groupWords(words);
    expect(cues.map((c) => c.text)).toEqual(['One two.', 'Three', 'four']);
    expect(cues[0]!.words).toHaveLength(2);
    expect(parseCaptions(JSON.stringify({ words }))).toHaveLength(3);
  });
});

describe('caption styles, trim and word highlight', () => {
  const viewport = { width: 360, height: 640 };
  const base = { viewport, clipStart: 0, clipEnd: 10, t0: 0 };

  it('trim shifts cues left, as a video trim does', () => {
    const cues = [{ start: 3, end: 4, text: 'Hi' }];
    const nodes = captionFilters(cues, { ...base, asset: { type: 'caption', src: 'x', trim: 2 } }, fonts);
    expect(nodes.every((n) => (n.args as Record<string, unknown>).enable === 'gte(t,1)*lt(t,2)')).toBe(true);
  });

  it('boldOutline: bold with an outline and no box; clean has its box', () => {
    const cues = [{ start: 0, end: 1, text: 'Hi' }];
    const bold = captionFilters(
      cues,
      { ...base, asset: { type: 'caption', src: 'x', style: 'boldOutline' } },
      fonts,
    );
    expect(bold.map((n) => n.name)).toEqual(['drawtext']);
    expect((bold[0]!.args as Record<string, unknown>).borderw).toBeGreaterThan(0);
    expect(String((bold[0]!.args as Record<string, unknown>).fontfile)).toMatch(/Bold/);
    const clean = captionFilters(cues, { ...base, asset: { type: 'caption', src: 'x' } }, fonts);
    expect(clean.map((n) => n.name)).toEqual(['drawbox', 'drawtext']);
  });

  it('wordHighlight redraws each word in the highlight colour while it is spoken', () => {
    const cues = parseCaptions(
      JSON.stringify({
        words: [
          { word: 'Big', start: 0.5, end: 1 },
          { word: 'news', start: 1, end: 1.6 },
        ],
      }),
    );
    const nodes = captionFilters(
      cues,
      { ...base, asset: { type: 'caption', src: 'x', style: 'wordHighlight', highlight: '#ff0000' } },
      fonts,
    );
    const args = nodes.map((n) => n.args as Record<string, unknown>);
    expect(args.map((a) => a.text)).toEqual(['Big news', 'Big', 'news']);
    expect(args[1]).toMatchObject({ fontcolor: '0xff0000@1', enable: 'gte(t,0.5)*lt(t,1)' });
    expect(args[2]).toMatchObject({ fontcolor: '0xff0000@1', enable: 'gte(t,1)*lt(t,1.6)' });
    expect(args[2]!.x as number).toBeGreaterThan(args[1]!.x as number);
    expect(args[1]!.x).toBe(args[0]!.x);
  });
});
