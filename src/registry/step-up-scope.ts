/**
 * @module registry/step-up-scope
 * The scopes a step-up sign-in is for, as the user and the model read them. An upstream that answers a call with
 * 403 `insufficient_scope` names the scope it wants in its `WWW-Authenticate` challenge; the gateway's messages
 * (the error of the call, execute_code's `authorization`, the server's status on /connections and in list_servers,
 * the sign-in prompt) name the scopes missing from the grant. The challenge is the upstream's data: only scope
 * tokens as RFC 6749 §3.3 defines them are kept (printable ASCII, no space, quote or backslash), each and all of
 * them bounded, so an upstream cannot put arbitrary text or length into the gateway's messages.
 */

/** Most scope tokens named; the rest are counted ("and 3 more"). */
export const MAX_SCOPES_NAMED = 8;
/** A longer scope token is cut, with "…". */
export const MAX_SCOPE_TOKEN_CHARS = 64;
/** Most characters the challenge's `scope` is read from (scopes past it are not looked at). */
export const MAX_SCOPE_INPUT_CHARS = 4_096;

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Whether `s` is a scope token (RFC 6749 §3.3: printable ASCII, no space, quote or backslash). */
export const isScopeToken = (s: string): boolean => SCOPE_TOKEN.test(s);

/**
 * The scopes a step-up asks for that the grant lacks (all the challenged ones when the grant has them all, since
 * the upstream still refused), bounded and safe to show: a space-separated string, or undefined when the challenge
 * named no valid scope. Scopes over {@link MAX_SCOPES_NAMED} are counted in a last token `…+N` (not a scope token:
 * "…" is not ASCII).
 */
export function missingScope(challenged: string | undefined, granted?: string | null): string | undefined {
  if (!challenged) return undefined;
  const valid = [...new Set(challenged.slice(0, MAX_SCOPE_INPUT_CHARS).split(/\s+/))].filter((s) =>
    SCOPE_TOKEN.test(s),
  );
  const have = new Set((granted ?? "").split(/\s+/));
  const missing = valid.filter((s) => !have.has(s));
  const named = missing.length > 0 ? missing : valid;
  if (named.length === 0) return undefined;
  const shown = named
    .slice(0, MAX_SCOPES_NAMED)
    .map((s) => (s.length > MAX_SCOPE_TOKEN_CHARS ? `${s.slice(0, MAX_SCOPE_TOKEN_CHARS - 1)}…` : s));
  return named.length > MAX_SCOPES_NAMED ? `${shown.join(" ")} …+${named.length - MAX_SCOPES_NAMED}` : shown.join(" ");
}

/** The scope tokens a {@link missingScope} string names whole (a cut token ends in "…"; the rest's count is "…+N"). */
export function wholeScopes(scope: string | undefined): string[] {
  return (scope ?? "").split(/\s+/).filter((s) => s && !s.includes("…") && s.length <= MAX_SCOPE_TOKEN_CHARS);
}

/**
 * How a message names the scope(s) of a step-up: `scope "admin"`, `scopes "admin" "write"`, `scopes "a" … and 3
 * more`. `scope` is what {@link missingScope} returned (it is cut again here, so any string stays bounded).
 */
export function scopePhrase(scope: string): string {
  const tokens = scope
    .split(" ")
    .filter(Boolean)
    .slice(0, MAX_SCOPES_NAMED + 1);
  const more = /^…\+(\d{1,9})$/.exec(tokens.at(-1) ?? "");
  const names = (more ? tokens.slice(0, -1) : tokens)
    .slice(0, MAX_SCOPES_NAMED)
    .map((s) => `"${s.slice(0, MAX_SCOPE_TOKEN_CHARS).replace(/["\\]/g, "")}"`);
  const count = names.length + (more ? Number(more[1]) : 0);
  return `${count === 1 ? "scope" : "scopes"} ${names.join(" ")}${more ? ` and ${more[1]} more` : ""}`;
}

/** The sentence of a step-up: `it needs more permission (scope "admin")`, or without a scope named. */
export function morePermission(scope: string | undefined): string {
  return `more permission${scope ? ` (${scopePhrase(scope)})` : ""}`;
}

/** What the model reads: `demo needs the user to sign in (again, for more permission (scope "admin")) at <url>`. */
export function signInNeeded(server: string, url: string | undefined, scope: string | undefined): string {
  const why = scope ? ` again to grant ${morePermission(scope)}` : "";
  return `${server} needs the user to sign in${why}${url ? ` at ${url}` : " (authorize_server gives the URL)"}`;
}

/** The tools a step-up waits for and what they need: `admin_report needs more permission (scope "admin")`. */
export function stepUpNeed(tools: readonly string[], scope: string | undefined): string {
  const who = tools.length > 1 ? `${tools.join(", ")} need` : `${tools[0] ?? "a tool"} needs`;
  return `${who} ${morePermission(scope)}`;
}

/** A step-up waiting for the user, as list_servers says it: {@link stepUpNeed}, then where the user signs in. */
export function stepUpPending(tools: readonly string[], scope: string | undefined, url: string): string {
  return `${stepUpNeed(tools, scope)}: the user signs in again at ${url}`;
}
