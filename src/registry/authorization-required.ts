/**
 * @module registry/authorization-required
 * A user's server cannot be called until the user signs in (again): its OAuth authorization is missing or
 * expired. Raised by the connection of a user server (src/registry/user-upstream.ts) and turned by execute_code
 * into a URL-mode elicitation or `status: "authorization_required"` with a handle (src/sandbox/approval.ts).
 */
import { morePermission } from "./step-up-scope";

/**
 * The user must (re)authorize `server` at `authorization_url` (a gateway URL) before it can be called; `scope` is
 * set when the server asked for more permission (a step-up on 403 `insufficient_scope`): the scopes it lacks,
 * bounded (src/registry/step-up-scope.ts). The message is the model's to read (a tool call's error, list_servers):
 * it says what the user must do, as execute_code's own sign-in messages do.
 */
export class AuthorizationRequiredError extends Error {
  override readonly name = "AuthorizationRequiredError";
  readonly server: string;
  readonly status: "authorization_required" | "expired";
  readonly authorization_url: string | undefined;
  /** The server's catalog cache scope (it does not depend on the token), so its last listed tools stay known. */
  readonly cacheScope: string | undefined;
  readonly scope: string | undefined;

  constructor(
    server: string,
    status: "authorization_required" | "expired",
    authorizationUrl?: string,
    cacheScope?: string,
    scope?: string,
  ) {
    const where = authorizationUrl ? ` at ${authorizationUrl}` : " (authorize_server gives the link)";
    super(
      status === "expired"
        ? `the authorization of ${server} has expired: the user must sign in again${where}`
        : scope
          ? `${server} needs ${morePermission(scope)}: the user must sign in again${where}`
          : `${server} needs the user to sign in${where}`,
    );
    this.server = server;
    this.status = status;
    this.authorization_url = authorizationUrl;
    this.cacheScope = cacheScope;
    this.scope = scope;
  }
}

/** The upstream of a server without credentials answered 401 with OAuth metadata: it signs users in with OAuth. */
export class OAuthChallengeError extends Error {
  override readonly name = "OAuthChallengeError";
  readonly resourceMetadataUrl: string | undefined;
  readonly scope: string | undefined;

  constructor(server: string, resourceMetadataUrl?: string, scope?: string) {
    super(
      `upstream ${server} requires OAuth sign-in (HTTP 401): authorize_server { "name": "${server}" } gives the sign-in link`,
    );
    this.resourceMetadataUrl = resourceMetadataUrl;
    this.scope = scope;
  }
}

/** The first AuthorizationRequiredError or OAuthChallengeError in an error's cause chain (the SDK wraps them). */
export function authorizationCause(err: unknown): AuthorizationRequiredError | OAuthChallengeError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (e instanceof AuthorizationRequiredError || e instanceof OAuthChallengeError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
