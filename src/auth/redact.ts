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
import { type SecretForms, secretForms } from "./secret-forms";
import { htmlDecode, MAX_DECODE_DEPTH, PERCENT_ESCAPE, percentDecode, unescapeJson } from "./text-decodings";

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

/** What a string becomes when a decoding of it (not a listed spelling) still holds a secret: fail closed. */
export const REDACTED_ENCODED = "[redacted: this text held an encoded secret]";
/** The whitespace-free view is only searched for spellings this long (short ones would match by chance). */
const MIN_SPACED_FORM_LENGTH = 16;
/** Encoded runs are wrapped over lines (MIME base64): only text with line breaks gets a whitespace-free view. */
const LINE_BREAK = /[\r\n]/;

function redactWith(text: string, forms: SecretForms): string {
  // A decoding is never longer than its text, so short text holds no form in any spelling.
  if (text.length < forms.shortest) return text;
  let out = text;
  if (forms.any.test(out)) {
    for (const form of forms.list) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
  }
  return decodedHoldsSecret(out, forms) ? REDACTED_ENCODED : out;
}

/**
 * Whether a decoding of `text` holds a spelling the plain text does not: JSON escapes of any character
 * (`\u0063…`) applied again and again, percent-escapes of any byte, HTML character references, or whitespace (a
 * base64 run wrapped over lines). Such text is replaced whole, since its encoded secret has no fixed spelling.
 */
function decodedHoldsSecret(text: string, forms: SecretForms): boolean {
  const holds = (view: string) =>
    forms.any.test(view) || (LINE_BREAK.test(view) && forms.long.test(view.replace(/\s+/g, "")));
  let view = text;
  for (let depth = 0; depth <= MAX_DECODE_DEPTH && view.includes("\\"); depth++) {
    const next = unescapeJson(view);
    if (next === view) break;
    if (holds(next)) return true;
    view = next;
  }
  view = text;
  for (let depth = 0; depth < 3 && PERCENT_ESCAPE.test(view); depth++) {
    const next = percentDecode(view);
    if (next === view) break;
    if (holds(next)) return true;
    view = next;
  }
  if (text.includes("&") && holds(htmlDecode(text))) return true;
  return LINE_BREAK.test(text) && forms.long.test(text.replace(/\s+/g, ""));
}

/** The text with every form of every secret replaced by {@link REDACTED}. */
export function redactText(text: string, secrets: readonly string[]): string {
  return secrets.length === 0
    ? text
    : redactWith(text, secretForms(secrets, MIN_SECRET_LENGTH, MIN_SPACED_FORM_LENGTH));
}

function setOwn(node: object, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * A JSON value (a tool result, a tool list) with every secret redacted in every string and key, in place: the
 * value is the caller's own fresh parse. The walk is iterative (no stack to overflow on deep values) and visits
 * each node once; strings shorter than every spelling are skipped. A value holding no secret is returned untouched.
 */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0 || value === undefined || value === null) return value;
  const forms = secretForms(secrets, MIN_SECRET_LENGTH, MIN_SPACED_FORM_LENGTH);
  if (typeof value === "string") return redactWith(value, forms) as T;
  if (typeof value !== "object") return value;
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
