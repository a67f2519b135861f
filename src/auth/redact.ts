/**
 * @module auth/redact
 * Upstream credentials are the gateway's own: they are sent to the upstream and must never come back out. An
 * upstream that echoes its Authorization header in a tool result, an error, a tool description or a schema would
 * otherwise hand it to the sandbox, the model, the logs and the execution history. Everything an upstream
 * connection returns or throws passes through here first (src/registry/upstream.ts), which is the one place all
 * of those paths share.
 */

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";
/** Shorter values are not treated as secrets (redacting "1" or "ab" would shred ordinary text). */
export const MIN_SECRET_LENGTH = 4;

const SECRET_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The secret values behind a server's header templates: each `${NAME}` that resolves, and each whole resolved
 * header value that contains one (so both "tok" and "Bearer tok" are caught). Missing secrets are skipped.
 */
export function secretValues(headers: Record<string, string> | undefined, env: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const template of Object.values(headers ?? {})) {
    let resolved = template;
    let any = false;
    for (const [, name] of template.matchAll(SECRET_REF)) {
      const value = env[name!];
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

/** The text with every secret replaced by {@link REDACTED}. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

/**
 * A JSON value (a tool result, a tool list) with every secret redacted in every string and key. Matches are
 * looked for in the JSON text, in the escaped form a secret takes there, so a value holding no secret is
 * returned as it is, untouched.
 */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0 || value === undefined) return value;
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return value;
  }
  let out = json;
  for (const secret of secrets) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (out.includes(escaped)) out = out.replaceAll(escaped, REDACTED);
  }
  return out === json ? value : (JSON.parse(out) as T);
}

/** The same error (its type and fields kept, so callers still classify it) with secrets cut from its text. */
export function redactError(err: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return err;
  if (err instanceof Error) {
    try {
      err.message = redactText(err.message, secrets);
      if (typeof err.stack === "string") err.stack = redactText(err.stack, secrets);
      const data = (err as { data?: unknown }).data;
      if (data !== undefined) (err as { data?: unknown }).data = redactValue(data, secrets);
      return err;
    } catch {
      // A read-only message (DOMException and friends): a plain copy carries the redacted text instead.
      return new Error(redactText(err.message, secrets));
    }
  }
  return typeof err === "string" ? redactText(err, secrets) : err;
}
