import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completions request as the scripted model received it. */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
  max_tokens?: number;
  temperature?: number;
}

/** One scripted turn: the HTTP status and the body the model answers with. */
export type Turn =
  { status?: number; body: unknown } | ((req: ChatRequest) => { status?: number; body: unknown });

/** A reply whose message content is `content`, costing `tokens`. */
export const reply = (content: string, tokens = 300, extra: Record<string, unknown> = {}) => ({
  body: {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, ...extra } }],
    usage: { prompt_tokens: tokens - 100, completion_tokens: 100, total_tokens: tokens },
  },
});

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => resolve(data));
  });

/**
 * A tiny OpenAI-compatible chat completions server (a scripted model): each POST takes the next turn
 * of the script, and every request is kept for the test to read. Past the script it answers 500.
 */
export async function scriptedModel() {
  const script: Turn[] = [];
  const requests: ChatRequest[] = [];
  const server = createServer((req, res) => {
    void read(req).then((data) => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      const body = JSON.parse(data) as ChatRequest;
      requests.push(body);
      const turn = script.shift();
      const out =
        typeof turn === 'function'
          ? turn(body)
          : (turn ?? { status: 500, body: { error: 'no turn scripted' } });
      res.statusCode = out.status ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  return {
    url,
    requests,
    /** Adds turns to the script, answered in order. */
    queue: (...turns: Turn[]) => void script.push(...turns),
    pending: () => script.length,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
