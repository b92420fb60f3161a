import { describe, expect, it } from 'vitest';
import { derivedTitle, jobTitle, TITLE_MAX } from '../../../lambdas/core/jobs/list-item.js';

const edit = (clips: unknown[], soundtrack?: unknown) => ({
  timeline: { tracks: [{ clips }], ...(soundtrack ? { soundtrack } : {}) },
  output: { format: 'mp4', resolution: 'sd' },
});
const clip = (asset: unknown) => ({ asset, start: 0, length: 1 });

describe('a job’s title in a list', () => {
  it('is the name it was given (template, project, dropped file) before anything derived', () => {
    const request = edit([clip({ type: 'title', text: 'Hello' })]);
    expect(jobTitle({ type: 'render', title: 'greeting', request })).toBe('greeting');
  });

  it('is an edit’s first on-screen text (title, text or rich-text), whitespace collapsed, before any media', () => {
    const request = {
      timeline: {
        tracks: [
          { clips: [clip({ type: 'video', src: 'https://cdn.example.com/a/intro.mp4' })] },
          {
            clips: [
              clip({ type: 'rich-text', text: '  Summer\n  sale  ' }),
              clip({ type: 'title', text: 'x' }),
            ],
          },
        ],
      },
      output: { format: 'mp4' },
    };
    expect(jobTitle({ type: 'render', request })).toBe('Summer sale');
    expect(jobTitle({ type: 'render', request: edit([clip({ type: 'text', text: 'Chapter 1' })]) })).toBe(
      'Chapter 1',
    );
  });

  it('cuts a long text to 60 characters with an ellipsis', () => {
    const title = jobTitle({
      type: 'render',
      request: edit([clip({ type: 'title', text: 'word '.repeat(40) })]),
    });
    expect(title.length).toBe(TITLE_MAX);
    expect(title.endsWith('\u2026')).toBe(true);
    expect(title.startsWith('word word')).toBe(true);
  });

  it('else is the first media file’s name: no host, folders, query or signature', () => {
    const signed =
      'https://bucket.s3.eu-west-1.amazonaws.com/tenants/t1/uploads/My%20Holiday.mp4?X-Amz-Signature=abc&X-Amz-Credential=AKIA';
    expect(
      derivedTitle(
        'render',
        edit([clip({ type: 'shape', shape: 'rectangle' }), clip({ type: 'video', src: signed })]),
      ),
    ).toBe('My Holiday.mp4');
    expect(
      derivedTitle('render', edit([clip({ type: 'image', src: 's3://ingest/drop/t1/cover.png' })])),
    ).toBe('cover.png');
    expect(
      derivedTitle('render', edit([clip({ type: 'audio', src: 'file:///srv/media/private/voice.wav#t=1' })])),
    ).toBe('voice.wav');
    // An encoded slash does not bring back the folders.
    expect(
      derivedTitle('render', edit([clip({ type: 'video', src: 'https://h/x/a%2Fsecret%2Fb.mp4' })])),
    ).toBe('b.mp4');
    // The soundtrack comes after the clips' media.
    expect(
      derivedTitle(
        'render',
        edit([clip({ type: 'html', html: '<p>x</p>' })], { src: 'https://h/music/beat.mp3?v=2' }),
      ),
    ).toBe('beat.mp3');
    expect(
      derivedTitle(
        'render',
        edit([clip({ type: 'luma', src: 'https://h/l/wipe.mp4' })], { src: 'https://h/music/beat.mp3' }),
      ),
    ).toBe('wipe.mp4');
  });

  it('skips names that are not files (alias://, a bare host) and falls back to the kind', () => {
    const request = edit([
      clip({ type: 'caption', src: 'alias://voice' }),
      clip({ type: 'video', src: 'alias://intro' }),
      clip({ type: 'image', src: 'https://example.com/' }),
    ]);
    expect(derivedTitle('render', request)).toBeUndefined();
    expect(jobTitle({ type: 'render', request })).toBe('Render');
    expect(jobTitle({ type: 'render', request: { timeline: 'not an edit' } })).toBe('Render');
    expect(jobTitle({ type: 'render', request: undefined })).toBe('Render');
  });

  it('a clips job is its source’s file name; other kinds without a name are their kind', () => {
    expect(
      jobTitle({ type: 'clips', request: { src: 'https://h/talks/keynote.mp4?sig=1', mode: 'auto' } }),
    ).toBe('keynote.mp4');
    expect(jobTitle({ type: 'mix', request: { groups: [] } })).toBe('Mix');
    expect(jobTitle({ type: 'project', request: {} })).toBe('Project');
  });
});
