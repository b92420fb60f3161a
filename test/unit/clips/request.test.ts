import { describe, expect, it } from 'vitest';
import { clipEdit, clipsKind, FACES_ITEM, parseClipsRequest } from '../../../lambdas/core/clips/kind.js';
import { followsFaces } from '../../../lambdas/core/clips/schema.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { jobKind } from '../../../lambdas/core/kinds/registry.js';
import { ENV } from '../../../lambdas/core/config.js';
import { resetProviderSettings } from '../../../lambdas/core/providers/settings.js';

function failure(body: unknown): CutlineError {
  try {
    parseClipsRequest(body);
  } catch (err) {
    return err as CutlineError;
  }
  throw new Error('expected the request to be refused');
}

describe('clips request', () => {
  it('is registered as the clips job kind', () => {
    expect(jobKind('clips')).toBe(clipsKind);
  });

  it('accepts explicit clips and auto mode', () => {
    expect(
      parseClipsRequest({ src: 'a.mp4', clips: [{ start: 1, end: 3, title: 'Hi' }] }).clips,
    ).toHaveLength(1);
    expect(parseClipsRequest({ src: 'a.mp4', mode: 'auto', count: 2, length: 10 }).mode).toBe('auto');
  });

  it('reports problems at their paths', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ src: 'a.mp4' }, 'clips', /mode: "auto"/],
      [{ src: 'a.mp4', clips: [{ start: 3, end: 2 }] }, 'clips[0].end', /after start/],
      [{ src: 'a.mp4', mode: 'auto', count: 2 }, 'length', /required/],
      [{ src: 'a.mp4', clips: [{ start: 0, end: 1 }], count: 2 }, 'count', /auto/],
      [
        { src: 'a.mp4', clips: [{ start: 0, end: 1 }], aspectRatios: ['9:16', '9:16'] },
        'aspectRatios',
        /repeat/,
      ],
      [{ src: 'a.mp4', clips: [{ start: 0, end: 1 }], aspectRatios: ['2:1'] }, 'aspectRatios[0]', /./],
      [
        { src: 'a.mp4', clips: [{ start: 0, end: 1 }], reframe: { mode: 'focus' } },
        'reframe.focus',
        /required/,
      ],
      [
        { src: 'a.mp4', clips: [{ start: 0, end: 1 }], reframe: { mode: 'focus', focus: { x: 2, y: 0 } } },
        'reframe.focus.x',
        /between 0 and 1/,
      ],
      [{ src: 'a.mp4', clips: [{ start: 0, end: 1 }], captions: { style: 'bold' } }, 'captions.style', /./],
      [{ src: 'a.mp4', clips: [{ start: 0, end: 1 }], extra: 1 }, 'extra', /unknown field/],
    ];
    for (const [body, path, message] of cases) {
      const err = failure(body);
      expect(err.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
      const detail = err.details.find((d) => d.path === path);
      expect(detail, `${JSON.stringify(body)} → ${JSON.stringify(err.details)}`).toBeDefined();
      expect(detail!.message).toMatch(message);
    }
  });

  it('refuses face reframing where no face detector is configured (naming what to set), and transcription where no transcriber is', () => {
    const face = { src: 'a.mp4', clips: [{ start: 0, end: 1 }], reframe: { mode: 'face' } };
    // The older spelling of mode "face" still validates and means the same.
    const old = {
      src: 'a.mp4',
      clips: [{ start: 0, end: 1 }],
      reframe: { mode: 'auto', detector: 'rekognition' },
    };
    process.env[ENV.FACE_DETECTOR] = 'none';
    resetProviderSettings();
    try {
      for (const body of [face, old]) {
        const err = failure(body);
        expect(err.code).toBe('NOT_SUPPORTED');
        expect(err.details[0]!.path).toBe('reframe.mode');
        expect(err.message).toMatch(/@vladmandic\/face-api.*ai\.faces.*CUTLINE_FACE_DETECTOR=rekognition/);
      }
      process.env[ENV.FACE_DETECTOR] = 'face-api';
      resetProviderSettings();
      expect(followsFaces(parseClipsRequest(face).reframe)).toBe(true);
      expect(followsFaces(parseClipsRequest(old).reframe)).toBe(true);
      expect(followsFaces(parseClipsRequest({ ...face, reframe: { mode: 'auto' } }).reframe)).toBe(false);
      expect(clipsKind.prepareItems!(parseClipsRequest(face))).toEqual([{ id: FACES_ITEM }]);
    } finally {
      delete process.env[ENV.FACE_DETECTOR];
      resetProviderSettings();
    }
    const body = { src: 'a.mp4', clips: [{ start: 0, end: 1 }], captions: { transcribe: true } };
    process.env[ENV.TRANSCRIBER] = 'none';
    resetProviderSettings();
    try {
      const stt = failure(body);
      expect(stt.code).toBe('NOT_SUPPORTED');
      expect(stt.details[0]!.path).toBe('captions.transcribe');
      expect(stt.message).toMatch(/pocketsphinx.*CUTLINE_WHISPER.*Amazon Transcribe.*captions\.src/);
      process.env[ENV.TRANSCRIBER] = 'pocketsphinx';
      resetProviderSettings();
      expect(parseClipsRequest(body).captions).toEqual({ transcribe: true });
    } finally {
      delete process.env[ENV.TRANSCRIBER];
      resetProviderSettings();
    }
  });

  it('lists every source it reads with its path', () => {
    const req = parseClipsRequest({
      src: 'a.mp4',
      clips: [{ start: 0, end: 1 }],
      captions: { src: 'c.srt' },
      transcript: 't.json',
    });
    expect(clipsKind.sources(req)).toEqual([
      { src: 'a.mp4', at: 'src' },
      { src: 'c.srt', at: 'captions.src' },
      { src: 't.json', at: 'transcript' },
    ]);
  });

  it('builds an ordinary edit per clip and aspect ratio', () => {
    const req = parseClipsRequest({
      src: 'a.mp4',
      clips: [{ start: 2, end: 5, title: 'Best bit' }],
      captions: { src: 'c.srt', style: 'wordHighlight' },
      output: { resolution: '1080' },
    });
    const edit = clipEdit(req, { start: 2, end: 5, title: 'Best bit' }, 1, '9:16', { x: 0.2, y: 0.5 });
    const [captions, video] = edit.timeline.tracks;
    expect(video!.clips[0]).toMatchObject({
      asset: { type: 'video', src: 'a.mp4', trim: 2, focus: { x: 0.2, y: 0.5 } },
      start: 0,
      length: 3,
      fit: 'crop',
    });
    expect(captions!.clips[0]!.asset).toMatchObject({
      type: 'caption',
      trim: 2,
      style: 'wordHighlight',
      margin: { bottom: 0.2, horizontal: 0.08 },
    });
    expect(edit.output).toMatchObject({
      resolution: '1080',
      aspectRatio: '9:16',
      poster: { capture: 1 },
      thumbnail: { capture: 1 },
      metadata: { title: 'Best bit' },
    });
    const square = clipEdit(req, { start: 2, end: 5 }, 2, '1:1', undefined);
    expect(square.timeline.tracks[0]!.clips[0]!.asset).toMatchObject({ margin: { bottom: 0.1 } });
    expect(square.output.metadata?.title).toBe('Clip 2');
  });
});
