/** Contracts of the OAuth client to users' upstream servers (src/user/oauth), as the user object's RPC returns them. */

/** Where a user server's OAuth authorization stands (list_servers `auth.status`). */
export type OAuthStatus = "connected" | "authorization_required" | "expired" | "error";

/** What list_servers shows of an OAuth server: never a token. */
export interface OAuthStatusView {
  type: "oauth";
  status: OAuthStatus;
  /** Scopes granted (space-separated in OAuth; a list here). */
  scopes?: string[];
  /** When the current access token expires (ISO 8601); the gateway refreshes it before then. */
  expires_at?: string;
  /** Why the status is `expired` or `error`, safe to show. */
  message?: string;
  /** Step-up sign-ins waiting for the user (the server still works with its current grant for other tools). */
  step_up?: StepUpView[];
}

/**
 * A step-up sign-in waiting for the user: the tools whose calls asked for more permission (403 `insufficient_scope`),
 * the scopes missing from the grant (bounded, src/registry/step-up-scope.ts) and the link that grants them.
 */
export interface StepUpView {
  tools: string[];
  scope?: string;
  authorization_url: string;
}

/** Options of startAuthorization: what a 401 or 403 challenge of the upstream said. */
export interface StartOptions {
  /** The scope to ask for (the challenge's `scope`; on `insufficient_scope`, the step-up scope). */
  scope?: string;
  /** The challenge's `resource_metadata` URL (RFC 9728); without it the well-known locations are tried. */
  resourceMetadataUrl?: string;
}

export type StartResult = { ok: true; authorization_url: string } | { ok: false; error: string };

export type BeginResult = { ok: true; location: string } | { ok: false; error: string };

/** What the callback route hands the user object: the flow from its cookie, the rest from the query string. */
export interface CallbackParams {
  flow: string;
  state: string;
  code?: string;
  error?: string;
  error_description?: string;
  iss?: string;
}

/**
 * How a callback went. `retry`: the authorization server refused scopes asked for beyond what the server needs
 * (`invalid_scope`), and this link (a gateway URL) starts the one sign-in that asks for those alone.
 */
export type CompleteResult =
  | { ok: true; server: string }
  | { ok: false; error: string; server?: string; retry?: string };

/** A usable access token, or why there is none (and where to sign in again when an origin was given). */
export type AccessTokenResult =
  | { ok: true; token: string; expires_at?: number }
  | {
      ok: false;
      status: Exclude<OAuthStatus, "connected">;
      message: string;
      authorization_url?: string;
      /** A step-up: the scopes the server asked for that the grant lacks, bounded (src/registry/step-up-scope.ts). */
      scope?: string;
    };

/** A step-up: the challenge of the upstream's 403 `insufficient_scope`, and the tool whose call it refused. */
export interface StepUpOptions extends StartOptions {
  tool?: string;
}

export interface AccessTokenOptions {
  /** Refresh even though the token looks fresh (the upstream answered 401 with it). */
  force?: boolean;
  /** The gateway's origin: when set and the user must sign in again, the result carries an authorization_url. */
  origin?: string;
  /**
   * The challenge of the upstream's 401 that refused the token: a sign-in this leads to asks for its scope (with the
   * granted ones), not for what a request without a token would be told.
   */
  challenge?: StartOptions;
  /**
   * The upstream answered 403 `insufficient_scope` with this challenge: a sign-in for the wider scope (the pending
   * one for the same scopes, else a new one).
   */
  stepUp?: StepUpOptions;
}
