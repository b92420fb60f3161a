import { ConverseCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import { ENV } from '../../config.js';
import { CutlineError } from '../../errors.js';
import { callerFor, spentUnits, type CallScope } from '../call.js';
import { bedrockClient } from '../clients.js';
import { tokensOf } from '../cost.js';
import { refusal } from '../refusal.js';
import { providerSettings, type ProviderSettings } from '../settings.js';

/** What a planner is asked: the project's own words, how many scenes, and the video it fills. */
export interface PlanBrief {
  mode: string;
  prompt?: string;
  subject?: string;
  scenes: number;
  seconds: number;
  /** The backing track's tempo, when there is one (the cuts land on its beats whatever is proposed). */
  tempo?: number;
}

/** One scene as the model proposes it. */
export interface ProposedScene {
  prompt: string;
  seconds: number;
  shot: string;
}

/** Writes scenes' prompts, lengths and shot notes (an LLM in AWS, or a local model server). */
export interface Planner {
  name: 'bedrock' | 'openai';
  /** `model`: what a person should name in an error (the model id, or the endpoint's model name). */
  model: string;
  plan(brief: PlanBrief): Promise<{ scenes: ProposedScene[]; tokens: number }>;
}

export const MAX_PROMPT_CHARS = 1000;
export const MAX_SHOT_CHARS = 300;

/**
 * The answer's shape, sent to the model as a JSON schema (Bedrock: the one tool it must call; OpenAI:
 * response_format json_schema, strict). Types only: strict modes refuse length keywords, so the limits
 * are applied after parsing (repairPlan).
 */
export const PlanAnswer = z.strictObject({
  scenes: z.array(z.strictObject({ prompt: z.string(), seconds: z.number(), shot: z.string() })),
});
export const PLAN_SCHEMA: Record<string, unknown> = (() => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(PlanAnswer) as Record<string, unknown>;
  return schema;
})();
export const PLAN_TOOL = 'plan_scenes';

const SYSTEM =
  'You plan the scenes of a short video. For each scene write a prompt a text-to-video model can render (what is seen, the subject, the setting, the light; no camera jargon), the seconds it lasts, and a shot note for the editor (framing and camera move). Keep the subject the same across scenes. Answer only through the plan_scenes schema, with exactly the number of scenes asked for, whose seconds add up to the total.';

export const planUserMessage = (b: PlanBrief): string =>
  JSON.stringify({
    mode: b.mode,
    ...(b.prompt ? { idea: b.prompt } : {}),
    ...(b.subject ? { subject: b.subject } : {}),
    scenes: b.scenes,
    totalSeconds: b.seconds,
    ...(b.tempo ? { tempoBpm: b.tempo } : {}),
  });

/** Tokens the answer may take: enough for the scenes asked for, bounded. */
export const planMaxTokens = (scenes: number): number => Math.min(8000, 400 + 200 * scenes);

/** The JSON object in a model's text: fences and prose around it are dropped. Pure. */
function jsonIn(text: string): unknown {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(unfenced.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

const junk = (model: string, why: string) =>
  new CutlineError(
    'PROVIDER_UNAVAILABLE',
    `the planning model (${model}) answered without a usable plan (${why}); asked again with backoff, it did not do better: try again, or configure a more capable model`,
    [],
    true,
  );

/**
 * The model's answer, checked and repaired where the repair is unambiguous: text around the JSON, a
 * number sent as a string, over-long prompts and notes (cut), extra scenes (dropped), seconds that do
 * not add up (the beat grid rescales them anyway). Refused when there is no plan in it: no JSON, the
 * wrong shape, fewer scenes than asked, an empty prompt or a length that is not a positive number. Pure.
 */
export function repairPlan(answer: unknown, want: number, model: string): ProposedScene[] {
  const raw = typeof answer === 'string' ? jsonIn(answer) : answer;
  const coerced =
    raw && typeof raw === 'object' && Array.isArray((raw as { scenes?: unknown }).scenes)
      ? {
          scenes: ((raw as { scenes: unknown[] }).scenes ?? []).map((s) =>
            s && typeof s === 'object'
              ? {
                  ...s,
                  seconds:
                    typeof (s as { seconds?: unknown }).seconds === 'string'
                      ? Number((s as { seconds: string }).seconds)
                      : (s as { seconds?: unknown }).seconds,
                  shot: (s as { shot?: unknown }).shot ?? '',
                }
              : s,
          ),
        }
      : raw;
  const parsed = PlanAnswer.safeParse(coerced);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw junk(
      model,
      raw === undefined ? 'no JSON' : `${issue?.path.join('.') || 'answer'}: ${issue?.message}`,
    );
  }
  const scenes = parsed.data.scenes.slice(0, want);
  if (scenes.length < want) throw junk(model, `${scenes.length} scenes of the ${want} asked for`);
  return scenes.map((s, i) => {
    const prompt = s.prompt.trim().slice(0, MAX_PROMPT_CHARS).trim();
    if (!prompt) throw junk(model, `scenes.${i}.prompt is empty`);
    if (!Number.isFinite(s.seconds) || s.seconds <= 0)
      throw junk(model, `scenes.${i}.seconds is not a positive number`);
    return { prompt, seconds: s.seconds, shot: s.shot.trim().slice(0, MAX_SHOT_CHARS).trim() };
  });
}

/** repairPlan, its refusal carrying the tokens the answer cost (metered though it is asked again). */
function repaired(answer: unknown, want: number, model: string, tokens: number): ProposedScene[] {
  try {
    return repairPlan(answer, want, model);
  } catch (err) {
    throw spentUnits(err as Error, tokens);
  }
}

const filtered = (service: string, why: string) =>
  new CutlineError(
    'VALIDATION_FAILED',
    `${service} refused to plan this project (${why}): reword the project's prompt or subject`,
    [{ path: 'prompt', message: `refused by ${service}'s content filter` }],
  );

/** Amazon Bedrock's Converse API: one tool with the plan's schema, which the model is made to call. */
export function bedrockPlanner(client: BedrockRuntimeClient, modelId: string): Planner {
  const service = `Amazon Bedrock (${modelId})`;
  return {
    name: 'bedrock',
    model: modelId,
    async plan(brief) {
      try {
        const res = await client.send(
          new ConverseCommand({
            modelId,
            system: [{ text: SYSTEM }],
            messages: [{ role: 'user', content: [{ text: planUserMessage(brief) }] }],
            inferenceConfig: { maxTokens: planMaxTokens(brief.scenes), temperature: 0.7 },
            toolConfig: {
              tools: [
                {
                  toolSpec: {
                    name: PLAN_TOOL,
                    description: 'Records the planned scenes of the video.',
                    inputSchema: { json: PLAN_SCHEMA as never },
                  },
                },
              ],
              toolChoice: { tool: { name: PLAN_TOOL } },
            },
          }),
        );
        const tokens = (res.usage?.inputTokens ?? 0) + (res.usage?.outputTokens ?? 0);
        if (res.stopReason === 'guardrail_intervened' || res.stopReason === 'content_filtered')
          throw spentUnits(filtered(service, res.stopReason), tokens);
        const blocks = res.output?.message?.content ?? [];
        const tool = blocks.find((b) => b.toolUse?.name === PLAN_TOOL)?.toolUse;
        const answer = tool ? tool.input : blocks.map((b) => b.text ?? '').join('');
        return { scenes: repaired(answer, brief.scenes, modelId, tokens), tokens };
      } catch (err) {
        throw refusal(service, err);
      }
    },
  };
}

/** An OpenAI-compatible chat completions endpoint (a local model server the user runs), strict JSON schema. */
export function openAiPlanner(endpoint: string, model: string, fetcher: typeof fetch = fetch): Planner {
  const service = `the LLM endpoint (${ENV.LLM_ENDPOINT}, model ${model})`;
  return {
    name: 'openai',
    model,
    async plan(brief) {
      const res = await fetcher(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          temperature: 0.7,
          max_tokens: planMaxTokens(brief.scenes),
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: planUserMessage(brief) },
          ],
          response_format: {
            type: 'json_schema',
            json_schema: { name: PLAN_TOOL, strict: true, schema: PLAN_SCHEMA },
          },
        }),
        signal: AbortSignal.timeout(25_000),
      }).catch((err: Error) => {
        throw new CutlineError('PROVIDER_UNAVAILABLE', `${service} did not answer: ${err.message}`, [], true);
      });
      if (!res.ok)
        throw new CutlineError(
          res.status >= 500 || res.status === 429 ? 'PROVIDER_UNAVAILABLE' : 'NOT_SUPPORTED',
          `${service} answered HTTP ${res.status}${res.status === 401 || res.status === 403 ? ': check the endpoint’s credentials' : res.status === 404 ? ': check the URL (…/v1/chat/completions) and the model name' : ''}`,
          [],
          res.status >= 500 || res.status === 429,
        );
      const body = (await res.json().catch(() => ({}))) as {
        choices?: Array<{
          finish_reason?: string;
          message?: { content?: string | null; refusal?: string | null };
        }>;
        usage?: { total_tokens?: number };
      };
      const choice = body.choices?.[0];
      const tokens = body.usage?.total_tokens ?? 0;
      if (choice?.message?.refusal) throw spentUnits(filtered(service, choice.message.refusal), tokens);
      if (choice?.finish_reason === 'content_filter')
        throw spentUnits(filtered(service, 'content_filter'), tokens);
      return { scenes: repaired(choice?.message?.content ?? '', brief.scenes, model, tokens), tokens };
    },
  };
}

/** The settings that turn planning on, for the refusal when it is off. */
export const NO_PLANNER = `scene prompts are written by an LLM, and this deployment has none: set ${ENV.LLM_ENDPOINT} to an OpenAI-compatible chat completions URL (a local model server; \`cutline start\`), or deploy with ai.planning.modelId (Amazon Bedrock)`;

/** The deployment's planner, or a NOT_SUPPORTED naming the setting. */
export function plannerFor(s: ProviderSettings = providerSettings()): Planner {
  if (s.planner === 'bedrock') {
    if (!s.plannerModelId)
      throw new CutlineError(
        'NOT_SUPPORTED',
        `${ENV.PLANNER}=bedrock needs ${ENV.PLANNER_MODEL_ID} (construct prop ai.planning.modelId)`,
        [{ path: 'prompts', message: 'no planning model is configured' }],
      );
    return bedrockPlanner(bedrockClient(), s.plannerModelId);
  }
  if (s.planner === 'openai') {
    if (!s.llm)
      throw new CutlineError('NOT_SUPPORTED', `${ENV.PLANNER}=openai needs ${ENV.LLM_ENDPOINT}`, [
        { path: 'prompts', message: 'no LLM endpoint is configured' },
      ]);
    return openAiPlanner(s.llm.endpoint, s.llm.model);
  }
  throw new CutlineError(
    'NOT_SUPPORTED',
    `${NO_PLANNER}; or send {"prompts": false} for the beat-aligned cuts alone`,
    [{ path: 'prompts', message: 'no LLM provider is configured' }],
  );
}

/**
 * A planner's proposal as one metered provider call: the tenant's budget is checked against the
 * prompt's tokens and the most the answer may take before the model is asked; a junk answer or a
 * throttled model is asked again with backoff, up to 3 times; what still fails is a 502 that says so.
 */
export async function proposeScenes(
  planner: Planner,
  scope: CallScope,
  brief: PlanBrief,
): Promise<{ scenes: ProposedScene[]; provider: string; model: string }> {
  const estimate = tokensOf(SYSTEM.length + planUserMessage(brief).length) + planMaxTokens(brief.scenes);
  try {
    const { scenes } = await callerFor(scope, { attempts: 3 })(
      planner.name,
      estimate,
      () => planner.plan(brief),
      (r) => r.tokens,
    );
    return { scenes, provider: planner.name, model: planner.model };
  } catch (err) {
    // A throttled or failing model is the provider's state, not this server's: said as it is, 502.
    if (err instanceof CutlineError && err.code === 'RENDER_FAILED')
      throw new CutlineError('PROVIDER_UNAVAILABLE', err.message, err.details, true);
    throw err;
  }
}
