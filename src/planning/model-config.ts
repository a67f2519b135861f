/**
 * @module planning/model-config
 * `[vars.GATEWAY_CONFIG.models]`: the language models `run_task` uses, one per role. Without this table the gateway
 * has no model and `run_task` is not listed.
 */
import { z } from "zod";

/** Workers AI models used when a role names none (see README "Run a task"). */
export const WORKERS_AI_DEFAULT_MODELS = {
  strategy: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  filter: "@cf/meta/llama-3.1-8b-instruct-fast",
  main: "@cf/qwen/qwen2.5-coder-32b-instruct",
} as const;

/** The three roles: `strategy` plans, `filter` picks tools, `main` writes and repairs the program. */
export type ModelRole = keyof typeof WORKERS_AI_DEFAULT_MODELS;
export const MODEL_ROLES: readonly ModelRole[] = ["strategy", "filter", "main"];

const ModelName = z.string().min(1).max(200);

export const ModelsSchema = z
  .strictObject({
    provider: z.enum(["workers-ai", "openai"]),
    /** workers-ai: the `[ai]` binding's name. */
    binding: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default("AI"),
    /** openai: the API root, e.g. "https://api.openai.com/v1" (chat completions are POSTed to <base_url>/chat/completions). */
    base_url: z
      .string()
      .regex(/^https?:\/\//, "expected an http(s):// URL")
      .optional(),
    /** openai: the bearer key, as "${SECRET_NAME}" (resolved on the host from the Worker's secrets, never in prompts). */
    api_key: z
      .string()
      .regex(
        /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the secret reference syntax.
        'name a Worker secret as "${NAME}" (wrangler secret put NAME, or .dev.vars locally); the key itself never goes in the config',
      )
      .optional(),
    strategy: ModelName.optional(),
    filter: ModelName.optional(),
    main: ModelName.optional(),
    /** Most tokens one answer may have. */
    max_tokens: z.number().int().positive().max(32_000).default(2_048),
    /** Time one model call may take. */
    call_timeout_ms: z.number().int().positive().max(600_000).default(60_000),
    /** search_tools asks the filter model to rerank its hits (off by default: it costs a model call per search). */
    rerank: z.boolean().default(false),
  })
  .superRefine((m, ctx) => {
    if (m.provider !== "openai") return;
    if (!m.base_url) ctx.addIssue({ code: "custom", path: ["base_url"], message: 'provider "openai" needs base_url' });
    for (const role of MODEL_ROLES) {
      if (!m[role]) ctx.addIssue({ code: "custom", path: [role], message: `provider "openai" needs a ${role} model` });
    }
  });

export type ModelsConfig = z.infer<typeof ModelsSchema>;

/** The model name a role uses under this configuration. */
export function modelFor(config: ModelsConfig, role: ModelRole): string {
  return config[role] ?? WORKERS_AI_DEFAULT_MODELS[role];
}
