/**
 * @module session/context-route
 * Which context a 2026-07-28 request runs in. That revision has no protocol sessions, so state that spans requests
 * lives in a named context: a session Durable Object named `<user>:<context>`. `execute_code`, `run_skill`, the
 * approval and context tools take an optional `context` argument: absent means the user's `default` context,
 * `new` starts a fresh one with a gateway-minted id (`ctx_` + 20 base32 characters), and any other value is refused.
 * A retry that answers an `input_required` result goes back to the context named in its request state, so retrying
 * a `context: "new"` call does not mint a second context. The state is only decoded here, for routing; the context
 * object verifies its signature and binding before anything runs.
 */

/** The reserved context every user has; used when a request names none. */
export const DEFAULT_CONTEXT = "default";
/** The reserved argument value that starts a fresh context. */
export const NEW_CONTEXT = "new";
const CONTEXT_ID = /^ctx_[a-z2-7]{20}$/;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
/** Requests carry at most this much request state; anything longer is not ours. */
const MAX_STATE_CHARS = 8_192;

/** `ctx_` and 20 random base32 characters (100 bits). */
export function mintContextId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return `ctx_${Array.from(bytes, (b) => BASE32[b & 31]).join("")}`;
}

/** True for `default` and minted ids; `new` is an instruction, not a context. */
export function isContextName(value: string): boolean {
  return value === DEFAULT_CONTEXT || CONTEXT_ID.test(value);
}

export type ContextChoice = { ok: true; context: string; minted: boolean } | { ok: false; error: string };

function base64UrlJson(text: string): unknown {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The context named in a request state minted by this gateway (`v1.<payload>.<mac>`), unverified. */
function contextOfState(state: string): string | undefined {
  if (state.length > MAX_STATE_CHARS || !state.startsWith("v1.")) return undefined;
  const dot = state.lastIndexOf(".");
  if (dot <= 3) return undefined;
  try {
    const envelope = base64UrlJson(state.slice(3, dot)) as { p?: { context?: unknown } } | null;
    const context = envelope?.p?.context;
    return typeof context === "string" && isContextName(context) ? context : undefined;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Picks the context of one parsed 2026-07-28 request body (see the module comment). */
export function chooseContext(body: unknown): ContextChoice {
  if (!isRecord(body) || body.method !== "tools/call" || !isRecord(body.params)) {
    return { ok: true, context: DEFAULT_CONTEXT, minted: false };
  }
  const { requestState, arguments: args } = body.params;
  if (typeof requestState === "string") {
    const context = contextOfState(requestState);
    // Unreadable state goes to the default context, whose verification refuses it with the SDK's error.
    return { ok: true, context: context ?? DEFAULT_CONTEXT, minted: false };
  }
  const wanted = isRecord(args) && Object.hasOwn(args, "context") ? args.context : undefined;
  if (wanted === undefined) return { ok: true, context: DEFAULT_CONTEXT, minted: false };
  if (wanted === NEW_CONTEXT) return { ok: true, context: mintContextId(), minted: true };
  if (typeof wanted === "string" && isContextName(wanted)) return { ok: true, context: wanted, minted: false };
  const shown = JSON.stringify(wanted)?.slice(0, 64) ?? String(wanted);
  return {
    ok: false,
    error: `Invalid params: context ${shown} is not a context; pass "default", "new" (starts one and names it in the result) or an id the gateway returned (ctx_ and 20 base32 characters)`,
  };
}
