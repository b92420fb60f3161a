import { ConverseCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CutlineError } from '../../errors.js';
import { bedrockClient } from '../clients.js';
import { refusal } from '../refusal.js';
import { providerSettings, type ProviderSettings } from '../settings.js';
import { ENV } from '../../config.js';

/** A clip candidate as a ranker reads it: where it is, what is said in it, the heuristic's score. */
export interface Candidate {
  index: number;
  start: number;
  end: number;
  text: string;
  score: number;
}

/** A ranker's verdict on one candidate. */
export interface Ranked {
  index: number;
  score: number;
  title: string;
  reason: string;
}

/** Ranks clip candidates by what is said (an LLM in AWS, a local model server, or the heuristic). */
export interface Ranker {
  name: 'heuristic' | 'bedrock' | 'openai';
  rank(candidates: Candidate[], count: number): Promise<{ ranked: Ranked[]; tokens: number }>;
}

const PROMPT =
  'You pick short social video clips from a transcript. Rank the candidates by how well each works on its own: a hook in the first seconds, a complete thought, energy. Answer with JSON only: {"clips":[{"index":<candidate index>,"score":<0..1>,"title":"<at most 8 words>","reason":"<one sentence>"}]} listing the best candidates first.';

const userMessage = (candidates: Candidate[], count: number) =>
  JSON.stringify({
    want: count,
    candidates: candidates.map((c) => ({ index: c.index, seconds: [c.start, c.end], text: c.text })),
  });

/** The model's JSON answer, checked: known indexes, scores in 0..1, non-empty titles. Pure. */
export function parseRanking(text: string, candidates: Candidate[], model: string): Ranked[] {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  let clips: unknown;
  try {
    clips = json ? (JSON.parse(json) as { clips?: unknown }).clips : undefined;
  } catch {
    clips = undefined;
  }
  const known = new Set(candidates.map((c) => c.index));
  const out: Ranked[] = [];
  for (const raw of Array.isArray(clips) ? clips : []) {
    const c = raw as Partial<Ranked>;
    if (typeof c.index !== 'number' || !known.has(c.index) || out.some((o) => o.index === c.index)) continue;
    out.push({
      index: c.index,
      score: Math.min(1, Math.max(0, Number(c.score) || 0)),
      title:
        String(c.title ?? '')
          .slice(0, 200)
          .trim() || `Clip ${c.index + 1}`,
      reason: String(c.reason ?? '')
        .slice(0, 500)
        .trim(),
    });
  }
  if (!out.length)
    throw new CutlineError(
      'RENDER_FAILED',
      `the ranking model (${model}) answered without a usable ranking; the step is retried`,
      [],
      true,
    );
  return out;
}

/** The heuristic: the signals' score as it is (clips/select.ts). */
export const heuristicRanker: Ranker = {
  name: 'heuristic',
  rank: async (candidates) => ({
    ranked: [...candidates]
      .sort((a, b) => b.score - a.score)
      .map((c) => ({ index: c.index, score: c.score, title: '', reason: '' })),
    tokens: 0,
  }),
};

/** Amazon Bedrock's Converse API, with the deployment's model. */
export function bedrockRanker(client: BedrockRuntimeClient, modelId: string): Ranker {
  return {
    name: 'bedrock',
    async rank(candidates, count) {
      try {
        const res = await client.send(
          new ConverseCommand({
            modelId,
            system: [{ text: PROMPT }],
            messages: [{ role: 'user', content: [{ text: userMessage(candidates, count) }] }],
            inferenceConfig: { maxTokens: 1000, temperature: 0 },
          }),
        );
        if (res.stopReason === 'guardrail_intervened' || res.stopReason === 'content_filtered')
          throw new CutlineError(
            'VALIDATION_FAILED',
            `Amazon Bedrock (${modelId}) refused to rank this transcript (${res.stopReason}); use the heuristic ranker or give clips`,
          );
        const text = (res.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
        return {
          ranked: parseRanking(text, candidates, modelId),
          tokens: (res.usage?.inputTokens ?? 0) + (res.usage?.outputTokens ?? 0),
        };
      } catch (err) {
        throw refusal(`Amazon Bedrock (${modelId})`, err);
      }
    },
  };
}

/** An OpenAI-compatible chat completions endpoint (a local model server the user runs). */
export function openAiRanker(endpoint: string, model: string, fetcher: typeof fetch = fetch): Ranker {
  return {
    name: 'openai',
    async rank(candidates, count) {
      const res = await fetcher(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          temperature: 0,
          messages: [
            { role: 'system', content: PROMPT },
            { role: 'user', content: userMessage(candidates, count) },
          ],
        }),
        signal: AbortSignal.timeout(120_000),
      }).catch((err: Error) => {
        throw new CutlineError(
          'RENDER_FAILED',
          `the ranking endpoint (${ENV.LLM_ENDPOINT}) did not answer: ${err.message}`,
          [],
          true,
        );
      });
      if (!res.ok)
        throw new CutlineError(
          'RENDER_FAILED',
          `the ranking endpoint (${ENV.LLM_ENDPOINT}) answered HTTP ${res.status}`,
          [],
          res.status >= 500 || res.status === 429,
        );
      const body = (await res.json()) as {
        choices?: Array<{ message?: { content?: string } }>;
        usage?: { total_tokens?: number };
      };
      return {
        ranked: parseRanking(body.choices?.[0]?.message?.content ?? '', candidates, model),
        tokens: body.usage?.total_tokens ?? 0,
      };
    },
  };
}

export function rankerFor(s: ProviderSettings = providerSettings()): Ranker {
  if (s.ranker === 'bedrock') {
    if (!s.bedrockModelId)
      throw new CutlineError(
        'NOT_SUPPORTED',
        `${ENV.RANKER}=bedrock needs ${ENV.BEDROCK_MODEL_ID} (construct prop ai.ranking.modelId)`,
      );
    return bedrockRanker(bedrockClient(), s.bedrockModelId);
  }
  if (s.ranker === 'openai') {
    if (!s.llm)
      throw new CutlineError(
        'NOT_SUPPORTED',
        `${ENV.RANKER}=openai needs ${ENV.LLM_ENDPOINT} (an OpenAI-compatible chat completions URL)`,
      );
    return openAiRanker(s.llm.endpoint, s.llm.model);
  }
  return heuristicRanker;
}
