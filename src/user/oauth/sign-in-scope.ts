/**
 * @module user/oauth/sign-in-scope
 * The scope a sign-in to a user's server asks for. MCP authorization (2026-07-28, "Scope Selection Strategy" and
 * "Step-Up Authorization Flow"; 2025-11-25 the same for the challenge): the scopes a 401 or 403 challenge names are
 * what the current operation needs, so they are always asked for; when re-authorizing, a client should ask for them
 * alongside the scopes granted before, so that signing in again never loses a permission the user gave (one granted
 * by a step-up). A plain sign-in also asks for the scope sets of the step-ups still waiting for the user
 * (src/user/oauth/step-up.ts): signing in through any link grants what the waiting tools need. A scope the
 * authorization server refused when asked for beyond the challenge's (src/user/oauth/refused-scope.ts) is left out of
 * these wider ones, so the sign-in after that refusal is not refused again for it.
 *
 * Every scope string here comes from an upstream or an authorization server: only scope tokens as RFC 6749 §3.3
 * defines them are kept (src/registry/step-up-scope.ts), each once and sorted, at most {@link MAX_SCOPES_ASKED} of
 * them and {@link MAX_SCOPE_INPUT_CHARS} characters in all, the challenged ones first.
 */
import { isScopeToken, MAX_SCOPE_INPUT_CHARS } from "../../registry/step-up-scope";
import type { OAuthStore } from "./oauth-store";

/** Most scope tokens one sign-in asks for (the challenged ones first, then the granted and waiting ones). */
export const MAX_SCOPES_ASKED = 100;

type Scope = string | null | undefined;

/** The valid scope tokens of `scope`, read from its first {@link MAX_SCOPE_INPUT_CHARS} characters (a cut token is dropped). */
export function scopeTokens(scope: Scope): string[] {
  if (!scope) return [];
  const read = scope.slice(0, MAX_SCOPE_INPUT_CHARS + 1).split(/[\t\n\f\r ]+/);
  if (scope.length > MAX_SCOPE_INPUT_CHARS) read.pop();
  return read.filter(isScopeToken);
}

/**
 * The scope set a sign-in asks for: `required` (the challenge's) and then `wider` (granted, waiting step-ups), each
 * token once, taken in that order while the set stays within {@link MAX_SCOPES_ASKED} tokens and
 * {@link MAX_SCOPE_INPUT_CHARS} characters, then sorted; "" when none is valid.
 */
export function scopeSet(required: Scope, wider: readonly Scope[] = []): string {
  const kept = new Set<string>();
  let chars = 0;
  for (const source of [required, ...wider]) {
    for (const token of scopeTokens(source)) {
      const next = chars + (kept.size > 0 ? 1 : 0) + token.length;
      if (kept.has(token) || kept.size >= MAX_SCOPES_ASKED || next > MAX_SCOPE_INPUT_CHARS) continue;
      kept.add(token);
      chars = next;
    }
  }
  return [...kept].sort().join(" ");
}

/** What a sign-in to `target` adds to the challenge's scopes: see the module comment. */
export interface SignInTarget {
  server: string;
  serverUrl: string;
}

/** `scope`'s valid tokens without those in `refused`, space-separated. */
export function withoutScopes(scope: Scope, refused: Scope): string {
  const out = new Set(scopeTokens(refused));
  return scopeTokens(scope)
    .filter((s) => !out.has(s))
    .join(" ");
}

/**
 * The scopes granted for `target` (only a grant for the same URL: a grant left by a removed server of the same name
 * lends it nothing), without those the authorization server has refused since.
 */
export function grantedScopes(store: OAuthStore, target: SignInTarget): string {
  const grant = store.grant(target.server);
  return grant?.server_url === target.serverUrl ? withoutScopes(grant.scopes, grant.refused_scopes) : "";
}

/**
 * The scopes a sign-in to `target` asks for beyond the challenge's: those granted ({@link grantedScopes}) and, for a
 * plain sign-in, the scope sets of its pending step-ups (at most STEP_UP_FLOWS_PER_SERVER), without the refused ones.
 */
export function widerScopes(store: OAuthStore, target: SignInTarget, plain: boolean): string[] {
  const granted = grantedScopes(store, target);
  const wider = granted ? [granted] : [];
  if (!plain) return wider;
  const grant = store.grant(target.server);
  const refused = grant?.server_url === target.serverUrl ? grant.refused_scopes : null;
  const waiting = store
    .stepUpFlows(target.server, target.serverUrl)
    .map((f) => withoutScopes(f.wanted || f.scope, refused));
  return [...wider, ...waiting.filter(Boolean)];
}

/** `location` (an authorization request) asking for {@link scopeSet} of its own scope and `wider`. */
export function withScopeSet(location: string, wider: readonly Scope[]): string {
  const url = new URL(location);
  const asked = url.searchParams.get("scope");
  const scope = scopeSet(asked, wider);
  if (scope === (asked ?? "")) return location;
  if (scope) url.searchParams.set("scope", scope);
  else url.searchParams.delete("scope");
  return url.href;
}
