/**
 * @module auth/redact
 * Upstream credentials are the gateway's own: they are sent to the upstream and must never come back out. An
 * upstream that echoes its Authorization header in a tool result, an error, a tool description or a schema would
 * otherwise hand it to the sandbox, the model, the logs and the execution history. Everything an upstream
 * connection returns or throws passes through here first (src/registry/upstream.ts), which is the one place all
 * of those paths share.
 *
 * Values are redacted as structures, before anything serializes them: every string and key loses every form of
 * every secret (src/auth/secret-forms.ts: raw, JSON-escaped at any depth, percent-encoded, base64, hex, HTML), so
 * no later serialization (the sandbox bridge, `call_tool`'s text, the history) can bring a secret back.
 */
import { secretForms } from "./secret-forms";

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";
/** Shorter values are not treated as secrets (redacting "1" or "ab" would shred ordinary text). */
export const MIN_SECRET_LENGTH = 4;

/** Links of an error's `cause` chain that are redacted. */
const MAX_CAUSE_DEPTH = 4;

const SECRET_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The secret values behind a server's header templates: each `${NAME}` that resolves, and each whole resolved
 * header value that contains one (so both "tok" and "Bearer tok" are caught). Missing secrets are skipped.
 */
export function secretValues(
  headers: ReadonlyMap<string, string> | Record<string, string> | undefined,
  env: Record<string, unknown>,
): string[] {
  const out = new Set<string>();
  const templates = headers instanceof Map ? [...headers.values()] : Object.values(headers ?? {});
  for (const template of templates) {
    let resolved = template;
    let any = false;
    for (const [, name] of template.matchAll(SECRET_REF)) {
      const value = Object.hasOwn(env, name!) ? env[name!] : undefined;
      if (typeof value !== "string") continue;
      any = true;
      if (value.length >= MIN_SECRET_LENGTH) out.add(value);
      resolved = resolved.replaceAll(`\${${name}}`, value);
    }
    if (any && resolved.length >= MIN_SECRET_LENGTH) out.add(resolved);
  }
  // Longest first, so "Bearer tok" is replaced whole before "tok" inside it.
  return [...out].sort((a, b) => b.length - a.length);
}

function redactWith(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
  return out;
}

/** The text with every form of every secret replaced by {@link REDACTED}. */
export function redactText(text: string, secrets: readonly string[]): string {
  return secrets.length === 0 ? text : redactWith(text, secretForms(secrets, MIN_SECRET_LENGTH));
}

/** Whether any string or key of `value` may hold a form (one scan of its JSON text; false only when sure). */
function mayHoldSecret(value: unknown, forms: readonly string[]): boolean {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // Too deep (or not JSON) to serialize: the walk decides.
    return true;
  }
  if (json === undefined) return false;
  // A string holding a form holds it in the JSON text escaped once more; escaping never joins two strings.
  return forms.some((form) => json.includes(JSON.stringify(form).slice(1, -1)));
}

function setOwn(node: object, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * A JSON value (a tool result, a tool list) with every secret redacted in every string and key, in place: the
 * value is the caller's own fresh parse. The walk is iterative (no stack to overflow on deep values) and visits
 * each node once. A value holding no secret is returned untouched.
 */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0 || value === undefined || value === null) return value;
  const forms = secretForms(secrets, MIN_SECRET_LENGTH);
  if (typeof value === "string") return redactWith(value, forms) as T;
  if (typeof value !== "object" || !mayHoldSecret(value, forms)) return value;
  const stack: object[] = [value as object];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const key of Object.keys(node)) {
      const v = (node as Record<string, unknown>)[key];
      let next = v;
      if (typeof v === "string") next = redactWith(v, forms);
      else if (v !== null && typeof v === "object") stack.push(v);
      const k = Array.isArray(node) ? key : redactWith(key, forms);
      if (k !== key) {
        delete (node as Record<string, unknown>)[key];
        setOwn(node, k, next);
      } else if (next !== v) {
        setOwn(node, key, next);
      }
    }
  }
  return value;
}

/** The same error (its type and fields kept, so callers still classify it) with secrets cut from its text. */
export function redactError(err: unknown, secrets: readonly string[], depth = 0): unknown {
  if (secrets.length === 0) return err;
  // A chain of causes (possibly cyclic) is followed a few links; deeper links are cut off.
  if (depth > MAX_CAUSE_DEPTH) return new Error(REDACTED);
  if (err instanceof Error) {
    try {
      err.message = redactText(err.message, secrets);
      if (typeof err.stack === "string") err.stack = redactText(err.stack, secrets);
      // `data` of JSON-RPC errors and every other own field an upstream's text may have reached.
      for (const key of Object.keys(err)) {
        const field = (err as unknown as Record<string, unknown>)[key];
        const next = field instanceof Error ? redactError(field, secrets, depth + 1) : redactValue(field, secrets);
        if (next !== field) setOwn(err, key, next);
      }
      if (err.cause !== undefined && !Object.keys(err).includes("cause")) {
        err.cause =
          err.cause instanceof Error ? redactError(err.cause, secrets, depth + 1) : redactValue(err.cause, secrets);
      }
      return err;
    } catch {
      // A read-only message (DOMException and friends): a plain copy carries the redacted text instead.
      return new Error(redactText(err.message, secrets));
    }
  }
  return typeof err === "string" ? redactText(err, secrets) : redactValue(err, secrets);
}
