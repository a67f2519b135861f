/**
 * @module config
 * The gateway's configuration: `GATEWAY_CONFIG` in wrangler.toml (a JSON var), validated once per isolate.
 * Bad configuration never crashes the Worker: it surfaces as a readable error on /health and on every MCP request.
 */
import { z } from "zod";
import { ModelsSchema } from "./planning/model-config";

/** The built-in upstream served by this Worker itself (see src/servers/workspace). */
export const BUILTIN_URL_PREFIX = "builtin:";

const isTable = (v: unknown): v is object =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Map);

/**
 * A table keyed by names from outside (header names, tool names), parsed into a Map. zod's `record` copies into a
 * plain `{}`, which drops a `__proto__` key and answers `constructor` or `toString` from Object.prototype.
 */
function nameMap<V extends z.ZodType>(value: V) {
  return z.preprocess(
    (v) => (isTable(v) ? new Map(Object.entries(v)) : v),
    z.map(z.string(), value, { error: "expected a table of name = value" }),
  );
}

/** Server names, of the configuration and of users' servers alike. */
export const ServerNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, '_', '.' and '-', starting with a letter or digit");

/** One upstream server (also the form user servers take inside a session, with defaults filled in). */
export const ServerConfigSchema = z.strictObject({
  name: ServerNameSchema,
  url: z.string().refine((u) => u.startsWith(BUILTIN_URL_PREFIX) || /^https?:\/\//.test(u), {
    message: "expected an http(s):// URL or builtin:<name>",
  }),
  description: z.string().max(2_000).optional(),
  /** Header values may reference Worker secrets or vars as ${NAME}; resolved on the host at connection time. */
  headers: nameMap(z.string()).optional(),
  /** Per-call timeout for this upstream; defaults to limits.tool_call_timeout_ms. */
  timeout_ms: z.number().int().positive().max(600_000).optional(),
  /** Most calls in flight to this upstream at once, per session; further calls wait their turn. */
  concurrency: z.number().int().positive().max(1_000).default(16),
  /** Which upstream tools the gateway exposes: exact names or `*` globs; `deny` wins over `allow`. */
  tools: z
    .strictObject({
      allow: z.array(z.string().min(1)).max(10_000).optional(),
      deny: z.array(z.string().min(1)).max(10_000).optional(),
    })
    .optional(),
  /** Deferred tools are left out of `list_tool_names` unless asked for, still found by search and callable. */
  defer_loading: z.union([z.boolean(), z.array(z.string().min(1)).max(10_000)]).default(false),
  /**
   * Human approval for calls from code: `allow`, `ask` or `deny`, for the whole server (`default`) or per tool
   * (original tool names). Unset, a tool annotated `destructiveHint: true` or `openWorldHint: true` (and not
   * `readOnlyHint: true`) asks; every other tool is allowed.
   */
  approval: z
    .strictObject({
      default: z.enum(["allow", "ask", "deny"]).optional(),
      tools: nameMap(z.enum(["allow", "ask", "deny"])).default(() => new Map()),
    })
    .optional(),
});

const LimitsSchema = z.strictObject({
  execution_timeout_ms: z.number().int().positive().max(600_000).default(30_000),
  tool_call_timeout_ms: z.number().int().positive().max(600_000).default(10_000),
  /** Tool calls one execution may make; over it a call is refused in the sandbox and again on the host. */
  max_tool_calls: z.number().int().positive().max(100_000).default(5_000),
  /** Gateway operations (`state.*`, `state.last`, `state.result`) one execution may make, refused past it likewise. */
  max_gateway_ops: z.number().int().positive().max(100_000).default(10_000),
  /** Bridge calls (tool calls and gateway operations) one execution has in flight; more wait in the sandbox. */
  max_calls_in_flight: z.number().int().positive().max(1_000).default(32),
  /** Live notifications (progress, logs, tool-call events) one execution may stream; past it they are coalesced. */
  max_notification_bytes: z
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /**
   * The result handed back, cut past it. At most 2 MiB, and logs at most 1 MiB: workerd counts two bytes per UTF-16
   * unit of other than Latin-1 text, so with the carried variables' 24 MiB (worker-loader/scope.js) an execution's
   * answer always fits workerd's 32 MiB.
   */
  max_result_bytes: z
    .number()
    .int()
    .positive()
    .max(2 * 1024 * 1024)
    .default(256 * 1024),
  max_log_bytes: z
    .number()
    .int()
    .positive()
    .max(1024 * 1024)
    .default(64 * 1024),
  max_log_lines: z.number().int().positive().max(100_000).default(1_000),
  /** One tool result; at most 16 MiB, the bound on any one upstream message (src/shared/capped-fetch.ts). */
  max_tool_result_bytes: z
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  max_code_bytes: z
    .number()
    .int()
    .positive()
    .max(4 * 1024 * 1024)
    .default(256 * 1024),
  /** Largest MCP request body accepted (413 beyond); the code for execute_code travels in it. */
  max_request_bytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  /** Per-user token bucket on execute_code: `executions` per `per_seconds` (bursts up to `executions`); 0 is off. */
  execute_rate_limit: z
    .strictObject({
      executions: z.number().int().nonnegative().max(1_000_000),
      per_seconds: z.number().int().positive().max(86_400),
    })
    .default({ executions: 600, per_seconds: 60 }),
  /** Loop iterations plus function entries one execution may take before it is stopped (runaway-code guard). */
  max_steps: z.number().int().positive().default(50_000_000),
  /** Production CPU budget of one isolate, at most Cloudflare's 5 minutes (local workerd enforces none). */
  cpu_ms: z.number().int().positive().max(300_000).default(30_000),
  /**
   * Isolates one session runs at once (Cloudflare allows 10 per Durable Object, one of which is reserved for the
   * type checker); more wait in a FIFO queue.
   */
  max_concurrent_executions: z.number().int().positive().max(9).default(8),
  /** Executions that may wait for a slot; beyond this execute_code answers "busy, retry". */
  max_queued_executions: z.number().int().nonnegative().max(1_000).default(64),
  /** Executions one user runs at once across all their sessions; more wait (max_queued_executions_per_user). */
  max_concurrent_executions_per_user: z.number().int().positive().max(1_000).default(16),
  /**
   * Executions of one user that may wait for one of those slots, each for at most execution_timeout_ms; beyond
   * either, execute_code answers "busy, retry shortly". 0: refuse at once when every slot is in use.
   */
  max_queued_executions_per_user: z.number().int().nonnegative().max(1_000).default(64),
  /**
   * How long a user's execution slot is held without renewal (the running session renews it every third of this):
   * a session object that crashes or is evicted mid-execution frees its slot within this time.
   */
  execution_lease_ms: z.number().int().min(1_000).max(600_000).default(30_000),
  /** Largest carried top-level variable, in bytes of its stored encoding (src/scope/); a larger one is dropped. */
  max_scope_value_bytes: z
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  /**
   * How long the storage (state, carried variables) of an MCP session or 2026-07-28 context outlives its last request
   * (src/session/session-retention.ts): 30 days; at least 5 s, at most a year.
   */
  session_idle_retention_ms: z
    .number()
    .int()
    .min(5_000)
    .max(365 * 24 * 60 * 60_000)
    .default(30 * 24 * 60 * 60_000),
  /** Carried scope of one session or context, in bytes; over it the oldest bindings are evicted, and named. */
  max_scope_bytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  /** Carried bindings (variables, functions, classes, imports) of one session or context. */
  max_scope_names: z.number().int().positive().max(10_000).default(1_000),
  /** Consecutive failures (no connection, HTTP errors, timeouts, garbage) after which an upstream is cut off. */
  circuit_breaker_failures: z.number().int().positive().max(1_000).default(5),
  /** How long a cut-off upstream fails fast before one trial call is let through. */
  circuit_breaker_cooldown_ms: z.number().int().nonnegative().max(3_600_000).default(30_000),
  /** Type checker (src/typecheck): production CPU budget of its isolate, per check. */
  typecheck_cpu_ms: z.number().int().positive().max(60_000).default(5_000),
  /** Type checker: wall-clock budget of a check on a warm checker, and of one that must start the checker first. */
  typecheck_timeout_ms: z.number().int().positive().max(60_000).default(5_000),
  typecheck_cold_timeout_ms: z.number().int().positive().max(120_000).default(30_000),
  /** Type checker: larger programs run unchecked, with a warning. */
  typecheck_max_code_bytes: z.number().int().positive().max(1_000_000).default(100_000),
});

/**
 * Which addresses upstream URLs (and every redirect hop) may point at; see src/registry/ssrf.ts. Everything
 * non-public is refused by default: the zero-config gateway has only built-in upstreams, and local development
 * against servers on 127.0.0.1 opts in with `allow_loopback`.
 */
const NetworkSchema = z.strictObject({
  /** Loopback upstreams (127.0.0.0/8, ::1, localhost): for local development. */
  allow_loopback: z.boolean().default(false),
  /** Private, CGNAT and link-local upstreams (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fe80::/10, ...). */
  allow_private: z.boolean().default(false),
  /** Host names or IP literals allowed whatever their class (exact match, no port), e.g. "mcp.corp.internal". */
  allow_hosts: z.array(z.string().min(1).max(253)).max(1_000).default([]),
});

/**
 * Servers each user adds at run time (add_server, src/user/user-servers.ts), beside the gateway's own. Their URLs
 * pass `network` like every other; a non-empty `allow_hosts` also limits them to those hosts (exact names).
 */
const UserServersSchema = z.strictObject({
  enabled: z.boolean().default(true),
  allow_hosts: z.array(z.string().min(1).max(253)).max(1_000).default([]),
  max_servers: z.number().int().nonnegative().max(1_000).default(20),
});

/**
 * Who may use the gateway (src/auth). `none` (the default, local development) acts as user "local". Raw keys and
 * OAuth state never live here: API keys come from a Worker secret, OAuth grants from the OAUTH_KV namespace.
 */
const AuthSchema = z.strictObject({
  mode: z.enum(["none", "api_keys", "oauth"]).default("none"),
  /**
   * With mode "none": serve callers that are not on this machine too (anyone who can reach the gateway runs code
   * as user "local"). Off, mode "none" answers only loopback Host names from loopback addresses (403 otherwise).
   */
  allow_unauthenticated: z.boolean().default(false),
  /** Worker secret listing `<user>:<key>` or `<user>:sha256:<hex>` entries (api_keys: bearer tokens; oauth: sign-in). */
  api_keys_secret: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default("API_KEYS"),
  oauth: z
    .strictObject({
      /** Canonical resource (token audience), e.g. "https://gateway.example.com"; default: the request's origin. */
      resource: z.url().optional(),
      access_token_ttl_seconds: z.number().int().min(60).max(86_400).default(3_600),
    })
    .default({ access_token_ttl_seconds: 3_600 }),
});

/** `allow_unauthenticated` is the explicit opt-out of the local-only rule of mode "none", meaningless elsewhere. */
const CheckedAuthSchema = AuthSchema.refine((auth) => !auth.allow_unauthenticated || auth.mode === "none", {
  message: 'allow_unauthenticated applies only to mode = "none"; remove it when authentication is on',
  path: ["allow_unauthenticated"],
});

/**
 * A client registered by the operator with an upstream's authorization server (src/user/oauth/client-identity.ts),
 * used in preference to a Client ID Metadata Document or dynamic registration. It applies to the authorization
 * server whose metadata names `issuer`, or to the user server at `server_url` (exact URL). The secret, if any, is a
 * Worker secret named by `client_secret_env`, never a value in this file.
 */
const OAuthClientSchema = z
  .strictObject({
    issuer: z.url().optional(),
    server_url: z.url().optional(),
    client_id: z.string().min(1).max(2_048),
    client_secret_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "the name of a Worker secret (letters, digits, '_')")
      .optional(),
  })
  .refine((c) => (c.issuer === undefined) !== (c.server_url === undefined), {
    message: "set exactly one of issuer or server_url",
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
  auth: CheckedAuthSchema.default(AuthSchema.parse({})),
  network: NetworkSchema.default(NetworkSchema.parse({})),
  user_servers: UserServersSchema.default(UserServersSchema.parse({})),
  /**
   * Serves built-in servers to clients at `/servers/<name>/mcp`, with the gateway's approval policy, validation
   * and redaction (src/servers/builtin-route.ts). Off by default: the gateway reaches them internally either way.
   */
  expose_builtin_routes: z.boolean().default(false),
  /**
   * Type-check before running (src/typecheck): `tools` (default) refuses type errors in tool calls and their
   * declared results, `strict` also those on observed result types, `warn` only reports them, `off` skips it.
   */
  typecheck: z.enum(["strict", "tools", "warn", "off"]).default("tools"),
  /** Lists `call_tool` for single direct calls; off by default so every call flows through `execute_code`. */
  allow_direct_tool_calls: z.boolean().default(false),
  /** How long a listed tool catalog is reused (shared across sessions) before the upstream is listed again. */
  catalog_ttl_ms: z.number().int().nonnegative().max(86_400_000).default(300_000),
  /** Semantic search: a Workers AI binding and embedding model fused with the lexical ranking when set. */
  embeddings: z
    .strictObject({
      binding: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .default("AI"),
      model: z.string().min(1).default("@cf/baai/bge-small-en-v1.5"),
      /**
       * Cosine similarity the best tool must reach, or search answers "no tool matches". Unset (the default): the
       * gateway calibrates it per catalog as the median best similarity of off-topic probe questions.
       */
      min_score: z.number().min(-1).max(1).optional(),
    })
    .optional(),
  /** Language models for run_task (src/planning/model-config.ts); without them run_task is not listed. */
  models: ModelsSchema.optional(),
  /** Pre-registered OAuth clients for users' upstream servers (README "Authorizing upstream servers"). */
  oauth_clients: z.array(OAuthClientSchema).max(1_000).default([]),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type Limits = z.infer<typeof LimitsSchema>;
export type AuthConfig = z.infer<typeof AuthSchema>;
export type OAuthClientConfig = z.infer<typeof OAuthClientSchema>;
export type UserServersConfig = z.infer<typeof UserServersSchema>;

export type ConfigResult = { ok: true; config: GatewayConfig } | { ok: false; error: string };

const cache = new WeakMap<object, ConfigResult>();
/**
 * The last configuration given as text (a `wrangler secret` is a string) and what it parsed to: objects read the
 * configuration on every execution, and a string was parsed again (JSON, then the whole schema) each time.
 */
let lastText: { text: string; result: ConfigResult } | undefined;

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
    if (lastText?.text === raw) return lastText.result;
    let result: ConfigResult;
    try {
      result = parseConfig(JSON.parse(raw));
    } catch (err) {
      result = { ok: false, error: `GATEWAY_CONFIG is not valid JSON: ${(err as Error).message}` };
    }
    lastText = { text: raw, result };
    return result;
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
    const v = envValue(env, name);
    if (typeof v !== "string")
      throw new Error(
        `secret ${name} is not set: add it to .dev.vars locally, or wrangler secret put ${name} when deployed`,
      );
    return v;
  });
}

/** The Worker env's own binding `name` (never an Object.prototype member such as `constructor`). */
export function envValue(env: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}
