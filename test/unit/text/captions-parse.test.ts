import { describe, expect, it } from 'vitest';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { parseCaptions, stripCueMarkup } from '../../../lambdas/core/text/captions.js';

function errorOf(content: string): CutlineError {
  try {
    parseCaptions(content);
  } catch (err) {
    expect(err).toBeInstanceOf(CutlineError);
    expect((err as CutlineError).code).toBe('VALIDATION_FAILED');
    return err as CutlineError;
  }
  throw new Error('expected parseCaptions to throw');
}

describe('parseCaptions: SRT', () => {
  it('reads numbered cues with multi-line text', () => {
    const srt = [
      '1',
      '00:00:01,000 --> 00:00:03,500',
      'Hello there.',
      '',
      '2',
      '00:00:04,250 --> 00:01:02,000',
      'Two lines',
      'of text',
      '',
    ].join('\n');
    expect(parseCaptions(srt)).toEqual([
      { start: 1, end: 3.5, text: 'Hello there.' },
      { start: 4.25, end: 62, text: 'Two lines\nof text' },
    ]);
  });

  it('handles a BOM, CRLF line ends, hours and no trailing blank line', () => {
    const srt =
      '\uFEFF1\r\n01:02:03,004 --> 01:02:04,000\r\nCRLF cue\r\n\r\n2\r\n01:02:05,000 --> 01:02:06,000\r\nlast';
    expect(parseCaptions(srt)).toEqual([
      { start: 3723.004, end: 3724, text: 'CRLF cue' },
      { start: 3725, end: 3726, text: 'last' },
    ]);
  });

  it('strips simple tags and {\\an8}-style overrides', () => {
    const srt =
      '1\n00:00:00,000 --> 00:00:01,000\n{\\an8}<i>Top</i> and <b>bold</b> & <font color="#ff0000">red</font>\n';
    expect(parseCaptions(srt)[0]!.text).toBe('Top and bold & red');
  });

  it('recovers a cue that lacks the blank line before the next one', () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:03,000 --> 00:00:04,000\nsecond\n';
    expect(parseCaptions(srt).map((c) => c.text)).toEqual(['first', 'second']);
  });

  it('names the line of a malformed timing', () => {
    const err = errorOf('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\nbad\n');
    expect(err.message).toMatch(/line 6\b/);
    expect(err.message).toMatch(/00:00:03,000 -> 00:00:04,000/);
  });

  it('names the line of a timing whose times do not parse', () => {
    expect(errorOf('1\n00:00:01,000 --> 00:00:0x,000\nhi\n').message).toMatch(/line 2\b/);
    expect(
      errorOf('1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:61,000 --> 00:00:62,000\nx').message,
    ).toMatch(/line 6\b.*invalid time/);
  });

  it('rejects a cue that ends before it starts, and text that is not a cue', () => {
    expect(errorOf('1\n00:00:05,000 --> 00:00:04,000\nbackwards\n').message).toMatch(
      /line 2\b.*before it starts/,
    );
    expect(errorOf('just some words\n').message).toMatch(/line 1\b/);
    expect(errorOf('1\n00:00:01,000 --> 00:00:02,000\nhi\n\nstray paragraph\n').message).toMatch(/line 5\b/);
  });

  it('rejects an empty file', () => {
    expect(errorOf('').message).toMatch(/empty/);
    expect(errorOf('\n\n  \n').message).toMatch(/empty/);
  });
});

describe('parseCaptions: WebVTT', () => {
  it('skips the header, NOTE and STYLE blocks, ids and cue settings; reads mm:ss.ttt times', () => {
    const vtt = [
      'WEBVTT - a title',
      'Kind: captions',
      'Language: en',
      '',
      'NOTE this is a comment',
      'spanning two lines',
      '',
      'STYLE',
      '::cue { color: yellow }',
      '',
      'intro',
      '00:01.000 --> 00:02.500 align:start position:10%',
      '<v Roger>Hello <c.yellow>world</c></v>',
      '',
      'NOTE single line',
      '',
      '00:00:03.000 --> 00:00:05.000 line:0',
      'Second &amp; <b>last</b>',
      'cue <00:00:04.000>line',
      '',
    ].join('\n');
    expect(parseCaptions(vtt)).toEqual([
      { start: 1, end: 2.5, text: 'Hello world' },
      { start: 3, end: 5, text: 'Second & last\ncue line' },
    ]);
  });

  it('accepts CRLF and a BOM, and a file with no cues', () => {
    expect(parseCaptions('\uFEFFWEBVTT\r\n\r\n00:00.500 --> 00:01.000\r\nhi\r\n')).toEqual([
      { start: 0.5, end: 1, text: 'hi' },
    ]);
    expect(parseCaptions('WEBVTT\n')).toEqual([]);
  });

  it('names the line of a malformed cue', () => {
    const err = errorOf('WEBVTT\n\n00:01.000 --> 00:02.000\nfine\n\n00:03.000 --> soon\ntext\n');
    expect(err.message).toMatch(/line 6\b/);
    expect(errorOf('WEBVTT\n\nid only\n\n').message).toMatch(/line 3\b/);
  });
});

describe('stripCueMarkup', () => {
  it('keeps text that only looks like markup', () => {
    expect(stripCueMarkup('1 < 2 > 0 and a <3')).toBe('1 < 2 > 0 and a <3');
    expect(stripCueMarkup('&lt;i&gt; literally')).toBe('<i> literally');
  });
});
