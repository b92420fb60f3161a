import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { CreateProjectRequest } from '../../../lambdas/core/projects/schema.js';

const edit = (asset: unknown) => ({
  timeline: { tracks: [{ clips: [{ asset, start: 0, length: 2 }] }] },
  output: { format: 'mp4', resolution: 'sd' },
});

const refusal = expect.stringMatching(/^lip sync is not supported: no AWS service/);

/** Lip sync has no AWS service and no local engine: each way a user could ask for it says so, at its path. */
describe('lip sync is refused clearly wherever it is asked for', () => {
  it('an edit asset of a lip-sync type, or lipSync on a text-to-speech asset', () => {
    for (const asset of [
      { type: 'lip-sync', src: 'face.mp4', audio: 'speech.wav' },
      { type: 'lipsync' },
      { type: 'text-to-speech', text: 'Hello', voice: 'Joanna', lipSync: true },
    ]) {
      let err: { code?: string; details?: Array<{ path: string; message: string }> } = {};
      try {
        parseEdit(edit(asset));
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details?.[0]?.path).toMatch(/^timeline\.tracks\[0\]\.clips\[0\]\.asset/);
      expect(err.details?.[0]?.message).toEqual(refusal);
    }
  });

  it('a lip-sync scene source, or lipSync on a voiceover or generate scene', () => {
    for (const [scene, path] of [
      [{ source: 'lip-sync', text: 'hi' }, ['scenes', 0, 'source']],
      [{ source: 'voiceover', text: 'Hello there', lipSync: true }, ['scenes', 0, 'lipSync']],
      [{ source: 'generate', prompt: 'a singer', lipSync: { audio: 'x.wav' } }, ['scenes', 0, 'lipSync']],
    ] as const) {
      const r = CreateProjectRequest.safeParse({ mode: 'music-video', scenes: [scene] });
      expect(r.success).toBe(false);
      const issue = r.error!.issues[0]!;
      expect(issue.message).toEqual(refusal);
      expect(issue.path).toEqual(path);
    }
    // Without the field the same scenes are fine.
    expect(
      CreateProjectRequest.safeParse({
        mode: 'music-video',
        scenes: [{ source: 'voiceover', text: 'Hello' }],
      }).success,
    ).toBe(true);
  });
});
