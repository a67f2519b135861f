/**
 * @module planning/model-client
 * One chat call to the model of a role, over Workers AI (the `[ai]` binding) or any OpenAI-compatible chat
 * completions endpoint. The endpoint is reached through the gateway's network guard like any upstream, and the API
 * key is resolved from the Worker's secrets at call time, on the host: it goes in the Authorization header only,
 * never into a prompt, a result or an error message.
 */
import { envValue, type GatewayConfig, resolveSecrets } from "../config";
import { guardedFetch } from "../registry/guarded-fetch";
import type { NetworkPolicy } from "../registry/ssrf";
import { type ModelRole, type ModelsConfig, modelFor } from "./model-config";
import { readCapped } from "../shared/read-capped";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatAnswer {
  text: string;
  model: string;
  tokens: { input: number; output: number };
}

/** The models configured for run_task. */
export interface TaskModels {
  readonly config: ModelsConfig;
  chat(role: ModelRole, messages: readonly ChatMessage[], signal?: AbortSignal): Promise<ChatAnswer>;
}

/** The model call failed (transport, HTTP status, unreadable answer); the message is safe to show. */
export class ModelError extends Error {
  override readonly name = "ModelError";
}

/** Largest model response body read, in bytes: an answer is text for one program, never megabytes. */
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

interface WorkersAi {
  run(model: string, input: unknown): Promise<unknown>;
}

/** The models configured under `models`, or undefined when there are none (run_task is then not listed). */
export function taskModelsFrom(env: Record<string, unknown>, config: GatewayConfig): TaskModels | undefined {
  const models = config.models;
  if (!models) return undefined;
  const send = models.provider === "openai" ? openAiSender(env, models, config.network) : workersAiSender(env, models);
  return {
    config: models,
    async chat(role, messages, signal) {
      const model = modelFor(models, role);
      const timeout = AbortSignal.timeout(models.call_timeout_ms);
      const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        return await send(model, messages, both);
      } catch (err) {
        if (timeout.aborted)
          throw new ModelError(
            `${role} model ${model} did not answer within ${models.call_timeout_ms} ms (call_timeout_ms)`,
          );
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new ModelError("cancelled");
        if (err instanceof ModelError) throw err;
        throw new ModelError(`${role} model ${model} failed: ${(err as Error).message}`);
      }
    },
  };
}

type Sender = (model: string, messages: readonly ChatMessage[], signal: AbortSignal) => Promise<ChatAnswer>;

function openAiSender(env: Record<string, unknown>, models: ModelsConfig, network: NetworkPolicy): Sender {
  const fetcher = guardedFetch((input, init) => fetch(input, init), network);
  const url = `${models.base_url!.replace(/\/+$/, "")}/chat/completions`;
  return async (model, messages, signal) => {
    // Resolved per call so that a secret set after deployment is picked up, and a missing one is named clearly.
    const key = models.api_key ? resolveSecrets(models.api_key, env) : undefined;
    const hide = (text: string) => (key ? text.split(key).join("[redacted]") : text);
    let response: Response;
    try {
      response = await fetcher(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model, messages, max_tokens: models.max_tokens, temperature: 0 }),
        signal,
      });
    } catch (err) {
      throw new ModelError(`model endpoint ${new URL(url).origin}: ${hide((err as Error).message)}`);
    }
    const body = await readCapped(response.body, MAX_RESPONSE_BYTES);
    if (body === undefined) throw new ModelError(`the model's answer is over ${MAX_RESPONSE_BYTES} bytes`);
    if (!response.ok) {
      throw new ModelError(`model ${model} answered HTTP ${response.status}: ${hide(body.slice(0, 300))}`);
    }
    let data: { choices?: Array<{ message?: { content?: unknown } }>; usage?: Record<string, unknown> };
    try {
      data = JSON.parse(body);
    } catch {
      throw new ModelError(`model ${model} answered with something that is not JSON: ${hide(body.slice(0, 120))}`);
    }
    const text = data?.choices?.[0]?.message?.content;
    if (typeof text !== "string") {
      throw new ModelError(`model ${model} answered without choices[0].message.content (not a chat completion)`);
    }
    return { text, model, tokens: usageOf(data.usage) };
  };
}

function workersAiSender(env: Record<string, unknown>, models: ModelsConfig): Sender {
  return async (model, messages, signal) => {
    const ai = envValue(env, models.binding) as WorkersAi | undefined;
    if (typeof ai?.run !== "function") {
      throw new ModelError(
        `no Workers AI binding named ${models.binding}: add [ai] binding = "${models.binding}" to wrangler.toml`,
      );
    }
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    const out = (await Promise.race([
      ai.run(model, { messages, max_tokens: models.max_tokens, temperature: 0 }),
      aborted,
    ])) as { response?: unknown; usage?: Record<string, unknown> } | undefined;
    const response = out?.response;
    // Some models answer JSON-looking text already parsed; the pipeline wants text either way.
    const text =
      typeof response === "string" ? response : response === undefined ? undefined : JSON.stringify(response);
    if (text === undefined) throw new ModelError(`Workers AI model ${model} answered without a response`);
    return { text, model, tokens: usageOf(out?.usage) };
  };
}

function usageOf(usage: Record<string, unknown> | undefined): { input: number; output: number } {
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
  return { input: n(usage?.prompt_tokens), output: n(usage?.completion_tokens) };
}
