/**
 * @module user/header-templates
 * Headers a user gives their own server (`add_server({ headers })`). A value may reference the user's own secrets
 * as `${secret:NAME}`, resolved on the host when the gateway connects. It never resolves against the Worker's env:
 * `${GITHUB_TOKEN}` in a user's header is refused, so no user can borrow the gateway's credentials.
 */

/** Most headers one user server may carry. */
export const MAX_USER_HEADERS = 20;
/** Longest header value (template), in characters. */
export const MAX_HEADER_VALUE_CHARS = 4_096;
/** Secret names: an identifier, as in `${secret:GITHUB_TOKEN}`. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Characters no HTTP field value may carry (RFC 9110 5.5: controls other than tab). With one in it, the request
 * fails only when the gateway connects, with the runtime's blank "Error POSTing to endpoint"; refused up front
 * instead, in header templates and in the secrets they resolve to alike.
 */
export const FIELD_VALUE_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** RFC 9110 field-name token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Headers the transport owns: a user value would break the protocol or the HTTP framing. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "accept",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
]);
const REFERENCE = /\$\{([^}]*)\}/g;
const SECRET_REFERENCE = /^secret:([A-Za-z_][A-Za-z0-9_]{0,63})$/;

export type CheckedHeaders =
  | { ok: true; headers: Array<[string, string]>; secrets: string[] }
  | { ok: false; error: string };

/**
 * Validates a user's headers (names, values, references) and returns them with the secret names they reference.
 * Names are data: the result is a list of pairs, never an object.
 */
export function checkUserHeaders(headers: ReadonlyArray<readonly [string, string]>): CheckedHeaders {
  if (headers.length > MAX_USER_HEADERS) return { ok: false, error: `at most ${MAX_USER_HEADERS} headers` };
  const seen = new Set<string>();
  const secrets = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const [name, value] of headers) {
    if (typeof name !== "string" || !HEADER_NAME.test(name)) {
      return {
        ok: false,
        error: `header name ${JSON.stringify(String(name).slice(0, 100))} is not a valid HTTP header name`,
      };
    }
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) return { ok: false, error: `header ${name} is set by the gateway itself` };
    if (seen.has(lower)) return { ok: false, error: `header ${name} is given twice` };
    seen.add(lower);
    if (typeof value !== "string" || value.length > MAX_HEADER_VALUE_CHARS || FIELD_VALUE_CONTROL.test(value)) {
      return {
        ok: false,
        error: `header ${name}: the value must be text without line breaks or control characters, at most ${MAX_HEADER_VALUE_CHARS} characters`,
      };
    }
    for (const [, inner] of value.matchAll(REFERENCE)) {
      const ref = SECRET_REFERENCE.exec(inner!);
      if (ref) {
        secrets.add(ref[1]!);
        continue;
      }
      return {
        ok: false,
        error: /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner!)
          ? `header ${name}: \${${inner}} would read the gateway's own environment, which user servers never do; store your credential as a secret and write \${secret:${inner}}`
          : `header ${name}: \${${inner!.slice(0, 80)}} is not a reference; write \${secret:NAME} with NAME a secret you stored`,
      };
    }
    out.push([name, value]);
  }
  return { ok: true, headers: out, secrets: [...secrets] };
}

/** Replaces each `${secret:NAME}` with the user's secret; a missing one is an error naming it (never a value). */
export function resolveUserHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
  secrets: ReadonlyMap<string, string>,
): { ok: true; headers: Array<[string, string]> } | { ok: false; missing: string[] } {
  const missing = new Set<string>();
  const out = headers.map(([name, template]): [string, string] => [
    name,
    template.replace(REFERENCE, (whole, inner: string) => {
      const ref = SECRET_REFERENCE.exec(inner);
      const value = ref ? secrets.get(ref[1]!) : undefined;
      if (value === undefined) {
        missing.add(ref?.[1] ?? inner);
        return whole;
      }
      return value;
    }),
  ]);
  return missing.size ? { ok: false, missing: [...missing] } : { ok: true, headers: out };
}
