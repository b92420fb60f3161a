import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PollyClient, SynthesizeSpeechCommand } from '@aws-sdk/client-polly';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { pollyVoice, wordsFromMarks } from '../../../lambdas/core/providers/voice/polly.js';

/**
 * Contract of SynthesizeSpeech, checked against the Polly API reference: Engine (standard | neural |
 * long-form | generative), OutputFormat (mp3 | ogg_vorbis | pcm | json), SampleRate for mp3 ("8000",
 * "16000", "22050", "24000"), SpeechMarkTypes (sentence | ssml | viseme | word) only with the json format,
 * Text, TextType (text | ssml), VoiceId. Speech marks come back as one JSON object per line with `time`
 * in milliseconds from the start of the audio.
 */
const polly = mockClient(PollyClient);
// The SDK's streaming body, as far as the provider reads it.
const stream = (buf: Buffer) => ({ transformToByteArray: async () => new Uint8Array(buf) });

let mp3: Buffer;
beforeEach(() => {
  polly.reset();
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=f=300:d=1.5',
    '-ar',
    '24000',
    '-c:a',
    'libmp3lame',
    `${dir}/a.mp3`,
  ]);
  mp3 = readFileSync(`${dir}/a.mp3`);
});

describe('Amazon Polly voice (contract)', () => {
  it('asks for neural MP3 speech and word marks with the same voice and text; SSML as ssml', async () => {
    const marks = [
      { time: 6, type: 'sentence', start: 7, end: 25, value: 'Hello there world.' },
      { time: 6, type: 'word', start: 7, end: 12, value: 'Hello' },
      { time: 380, type: 'word', start: 13, end: 18, value: 'there' },
      { time: 800, type: 'word', start: 19, end: 24, value: 'world' },
    ];
    polly
      .on(SynthesizeSpeechCommand, { OutputFormat: 'mp3' })
      .resolves({ AudioStream: stream(mp3) as never });
    polly.on(SynthesizeSpeechCommand, { OutputFormat: 'json' }).resolves({
      AudioStream: stream(Buffer.from(marks.map((m) => JSON.stringify(m)).join('\n'))) as never,
    });
    const v = pollyVoice({
      client: new PollyClient({ region: 'us-east-1' }),
      engine: 'neural',
      defaultVoice: 'Joanna',
    });
    const dir = await mkdtemp(join(tmpdir(), 'cutline-polly-'));
    const speech = await v.synthesize(
      { text: '<speak>Hello there world.</speak>', voice: 'Matthew' },
      dir,
      'asset',
    );
    const calls = polly.commandCalls(SynthesizeSpeechCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        Engine: 'neural',
        VoiceId: 'Matthew',
        Text: '<speak>Hello there world.</speak>',
        TextType: 'ssml',
        OutputFormat: 'mp3',
        SampleRate: '24000',
      },
      {
        Engine: 'neural',
        VoiceId: 'Matthew',
        Text: '<speak>Hello there world.</speak>',
        TextType: 'ssml',
        OutputFormat: 'json',
        SpeechMarkTypes: ['word'],
      },
    ]);
    // MP3 frames pad the 1.5 s by up to a frame or two.
    expect(Math.abs(speech.durationSeconds - 1.5)).toBeLessThan(0.1);
    expect(speech.words).toEqual([
      { text: 'Hello', start: 0.006, end: 0.38 },
      { text: 'there', start: 0.38, end: 0.8 },
      { text: 'world', start: 0.8, end: speech.durationSeconds },
    ]);
    expect(speech.characters).toBe('Hello there world.'.length);
  });

  it('plain text is text; throttling is retryable, an invalid SSML a client error on the text', async () => {
    polly
      .on(SynthesizeSpeechCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const v = pollyVoice({
      client: new PollyClient({ region: 'us-east-1' }),
      engine: 'neural',
      defaultVoice: 'Joanna',
    });
    const dir = await mkdtemp(join(tmpdir(), 'cutline-polly-'));
    await expect(v.synthesize({ text: 'hi' }, dir, 'a')).rejects.toMatchObject({
      code: 'RENDER_FAILED',
      retryable: true,
    });
    expect(polly.commandCalls(SynthesizeSpeechCommand)[0]!.args[0].input).toMatchObject({
      TextType: 'text',
      VoiceId: 'Joanna',
    });
    polly
      .on(SynthesizeSpeechCommand)
      .rejects(Object.assign(new Error('bad ssml'), { name: 'InvalidSsmlException' }));
    await expect(v.synthesize({ text: '<speak>hi', voice: 'Amy' }, dir, 'a')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'a.text' }],
    });
  });

  it('word marks end where the next word starts, the last at the end of the audio', () => {
    expect(
      wordsFromMarks('{"time":0,"type":"word","value":"a"}\n{"time":500,"type":"word","value":"b"}\n', 1.2),
    ).toEqual([
      { text: 'a', start: 0, end: 0.5 },
      { text: 'b', start: 0.5, end: 1.2 },
    ]);
  });
});
