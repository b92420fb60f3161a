import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { bedrockRanker, openAiRanker, parseRanking } from '../../../lambdas/core/providers/ranking/index.js';

/**
 * Contract of Bedrock's Converse request, checked against the API reference: modelId (a model id or
 * inference profile), messages [{ role: user | assistant, content: [{ text }] }], system [{ text }],
 * inferenceConfig { maxTokens, temperature }; the answer is output.message.content[].text with
 * stopReason (end_turn | max_tokens | stop_sequence | guardrail_intervened | content_filtered | …) and
 * usage { inputTokens, outputTokens }.
 */
const bedrock = mockClient(BedrockRuntimeClient);
const candidates = [
  { index: 0, start: 1, end: 7, text: 'and mister john dashwood had then leisure.', score: 0.5 },
  { index: 1, start: 9, end: 15, text: 'he was not an ill disposed young man.', score: 0.6 },
];
beforeEach(() => bedrock.reset());

describe('clip ranking providers', () => {
  it('Bedrock Converse: the system prompt, the candidates as the user turn, deterministic; the answer parsed', async () => {
    bedrock.on(ConverseCommand).resolves({
      output: {
        message: {
          role: 'assistant',
          content: [
            {
              text: '{"clips":[{"index":1,"score":0.9,"title":"Not ill disposed","reason":"A complete character sketch."}]}',
            },
          ],
        },
      },
      stopReason: 'end_turn',
      usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 },
      metrics: { latencyMs: 1 },
    });
    const r = bedrockRanker(new BedrockRuntimeClient({ region: 'us-east-1' }), 'amazon.nova-lite-v1:0');
    const out = await r.rank(candidates, 1);
    const req = bedrock.commandCalls(ConverseCommand)[0]!.args[0].input;
    expect(req.modelId).toBe('amazon.nova-lite-v1:0');
    expect(req.system).toEqual([{ text: expect.stringContaining('JSON') }]);
    expect(req.messages).toHaveLength(1);
    expect(req.messages![0]!.role).toBe('user');
    expect(JSON.parse(req.messages![0]!.content![0]!.text!)).toEqual({
      want: 1,
      candidates: candidates.map((c) => ({ index: c.index, seconds: [c.start, c.end], text: c.text })),
    });
    expect(req.inferenceConfig).toEqual({ maxTokens: 1000, temperature: 0 });
    expect(out).toEqual({
      ranked: [{ index: 1, score: 0.9, title: 'Not ill disposed', reason: 'A complete character sketch.' }],
      tokens: 150,
    });
  });

  it('Bedrock refusals a person can act on: model access, a content filter, throttling (retried)', async () => {
    const r = bedrockRanker(new BedrockRuntimeClient({ region: 'us-east-1' }), 'm');
    bedrock
      .on(ConverseCommand)
      .rejects(
        Object.assign(new Error("You don't have access to the model"), { name: 'AccessDeniedException' }),
      );
    await expect(r.rank(candidates, 1)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(/Model access/),
    });
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [] } },
      stopReason: 'content_filtered',
      usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 },
      metrics: { latencyMs: 1 },
    });
    await expect(r.rank(candidates, 1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    bedrock
      .on(ConverseCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(r.rank(candidates, 1)).rejects.toMatchObject({ retryable: true });
  });

  it('an OpenAI-compatible endpoint (a real local HTTP server) does the same; a reply without a ranking is retried', async () => {
    let body: { model: string; messages: Array<{ role: string; content: string }> } | undefined;
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        body = JSON.parse(data);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            choices: [
              {
                message: {
                  content: 'Sure! {"clips":[{"index":0,"score":0.7,"title":"Dashwood","reason":"r"}]}',
                },
              },
            ],
            usage: { total_tokens: 42 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
      const out = await openAiRanker(url, 'llama').rank(candidates, 1);
      expect(body!.model).toBe('llama');
      expect(body!.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(out).toEqual({ ranked: [{ index: 0, score: 0.7, title: 'Dashwood', reason: 'r' }], tokens: 42 });
    } finally {
      server.close();
    }
    expect(() => parseRanking('no json here', candidates, 'm')).toThrow(/without a usable ranking/);
    expect(() => parseRanking('{"clips":[{"index":7}]}', candidates, 'm')).toThrow(
      /without a usable ranking/,
    );
  });
});
