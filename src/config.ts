/**
 * @module config
 * The gateway's configuration: `GATEWAY_CONFIG` in wrangler.toml (a JSON var), validated once per isolate.
 * Bad configuration never crashes the Worker: it surfaces as a readable error on /health and on every MCP request.
 */
import { z } from "zod";

/** The built-in upstream served by this Worker itself (see src/servers/workspace). */
export const BUILTIN_URL_PREFIX = "builtin:";

const ServerConfigSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, '_', '.' and '-', starting with a letter or digit"),
  url: z.string().refine((u) => u.startsWith(BUILTIN_URL_PREFIX) || /^https?:\/\//.test(u), {
    message: "expected an http(s):// URL or builtin:<name>",
  }),
  description: z.string().max(2_000).optional(),
  /** Header values may reference Worker secrets or vars as ${NAME}; resolved on the host at connection time. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Per-call timeout for this upstream; defaults to limits.tool_call_timeout_ms. */
  timeout_ms: z.number().int().positive().max(600_000).optional(),
  /** Most calls in flight to this upstream at once, per session; further calls wait their turn. */
  concurrency: z.number().int().positive().max(1_000).default(16),
});

const LimitsSchema = z.strictObject({
  execution_timeout_ms: z.number().int().positive().max(600_000).default(30_000),
  tool_call_timeout_ms: z.number().int().positive().max(600_000).default(10_000),
  max_tool_calls: z.number().int().positive().max(100_000).default(100),
  max_result_bytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  max_log_bytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  max_log_lines: z.number().int().positive().default(1_000),
  max_tool_result_bytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  max_code_bytes: z
    .number()
    .int()
    .positive()
    .max(4 * 1024 * 1024)
    .default(256 * 1024),
  /** Loop iterations plus function entries one execution may take before it is stopped (runaway-code guard). */
  max_steps: z.number().int().positive().default(50_000_000),
  /** Production CPU budget of one isolate (ignored by local workerd, which enforces no CPU limit). */
  cpu_ms: z.number().int().positive().default(30_000),
  /** Isolates one session runs at once (Cloudflare allows 10 per Durable Object); more wait in a FIFO queue. */
  max_concurrent_executions: z.number().int().positive().max(10).default(8),
  /** Executions that may wait for a slot; beyond this execute_code answers "busy, retry". */
  max_queued_executions: z.number().int().nonnegative().max(1_000).default(64),
});

export const GatewayConfigSchema = z.strictObject({
  servers: z
    .array(ServerConfigSchema)
    .default(() => [ServerConfigSchema.parse({ name: "workspace", url: "builtin:workspace" })])
    .refine((servers) => new Set(servers.map((s) => s.name)).size === servers.length, {
      message: "server names must be unique",
    }),
  /** Origins allowed besides the gateway's own (browser clients); requests without Origin are always allowed. */
  allowed_origins: z.array(z.string()).default([]),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type Limits = z.infer<typeof LimitsSchema>;

export type ConfigResult = { ok: true; config: GatewayConfig } | { ok: false; error: string };

const cache = new WeakMap<object, ConfigResult>();

/** Parses `GATEWAY_CONFIG` (an object, a JSON string, or absent for the zero-configuration default). */
export function loadConfig(raw: unknown): ConfigResult {
  if (raw !== null && typeof raw === "object") {
    const hit = cache.get(raw);
    if (hit) return hit;
    const result = parseConfig(raw);
    cache.set(raw, result);
    return result;
  }
  if (typeof raw === "string") {
    try {
      return parseConfig(JSON.parse(raw));
    } catch (err) {
      return { ok: false, error: `GATEWAY_CONFIG is not valid JSON: ${(err as Error).message}` };
    }
  }
  return parseConfig({});
}

function parseConfig(value: unknown): ConfigResult {
  const parsed = GatewayConfigSchema.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, error: `invalid GATEWAY_CONFIG:\n${z.prettifyError(parsed.error)}` };
}

/**
 * Replaces `${NAME}` in a header value with the Worker env's string value of NAME.
 * A missing secret is an error naming the variable (never its value).
 */
export function resolveSecrets(value: string, env: Record<string, unknown>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (typeof v !== "string") throw new Error(`secret ${name} is not set (add it with: wrangler secret put ${name})`);
    return v;
  });
}
