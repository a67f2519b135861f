/** Types of test/support/oauth-upstream.mjs (a real OAuth-protected MCP server for tests). */

export interface PreRegisteredClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: string;
  client_name?: string;
}

export interface OAuthUpstreamSettings {
  /** Skip the consent page and approve as `subject`. */
  autoApprove: boolean;
  /** The user the consent page proposes and auto-approval signs in. */
  subject: string;
  /** Access-token lifetime, seconds. */
  accessTokenTtl: number;
  /** Refresh-token lifetime, seconds. */
  refreshTokenTtl: number;
  refreshTokens: boolean;
  /** The authorization server's scopes. */
  scopesSupported: string[];
  /** The protected resource metadata's scopes (the base scope only, so `admin` needs step-up). */
  resourceScopes: string[];
  /** Granted when none is asked for; also the scope of the 401 challenge. */
  defaultScopes: string[];
  requireResource: boolean;
  /** Fixed at start. */
  registration: boolean;
  /** Fixed at start. */
  clients: PreRegisteredClient[];
  cimd: boolean;
  cimdAllowHttp: boolean;
  /** `iss` on the authorization redirect. */
  iss: "correct" | "wrong" | "missing";
  failRefresh: boolean;
  prmResource: string | undefined;
  authorizationServers: string[] | undefined;
  asIssuer: string | undefined;
  /** A bare 401 (no WWW-Authenticate) to requests without a token. */
  bareChallenge: boolean;
  /** Everything but tools/call served without a token. */
  openListing: boolean;
  /** [tool, scope] pairs: calling the tool without the scope answers 403 insufficient_scope (step-up). */
  toolScopes: Array<[string, string]>;
  /** `whoami` also returns the access token it was called with. */
  echoToken: boolean;
  /** Hold every tools/call request, before any check, until set back to false. */
  holdCalls: boolean;
  /** The scopes a request with a token needs, named by its 401/403 challenge (unset: defaultScopes). */
  tokenScopes: string[] | undefined;
  /** Scopes refused with invalid_scope (at the authorization endpoint, or at the token endpoint: dropScopesAt). */
  droppedScopes: string[];
  dropScopesAt: "authorize" | "token";
  /** A step-up's 403 challenge names the granted scopes too (default), or the needed one alone. */
  stepUpNamesGranted: boolean;
}

export interface OAuthUpstreamOptions extends Partial<OAuthUpstreamSettings> {
  /** 0 or absent: a free port. */
  port?: number;
}

export interface OAuthUpstreamEvent {
  at: number;
  type: "register" | "cimd" | "authorize" | "consent" | "token" | "refresh" | "revoke" | "refused";
  clientId?: string;
  subject?: string;
  scopes?: string[];
  [key: string]: unknown;
}

export interface RevokedToken {
  token: string;
  kind: "access_token" | "refresh_token";
  clientId: string;
  subject: string;
}

export interface TokenRecord {
  clientId: string;
  subject: string;
  scopes: string[];
  resource: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface OAuthUpstream {
  /** The MCP endpoint, which is also the protected resource: `http://127.0.0.1:PORT/mcp`. */
  url: string;
  /** `http://127.0.0.1:PORT/` */
  issuer: string;
  resource: string;
  resourceMetadataUrl: string;
  port: number;
  provider: {
    clients: Map<string, PreRegisteredClient>;
    accessTokens: Map<string, TokenRecord & { refreshToken?: string }>;
    refreshTokens: Map<string, TokenRecord>;
    usedRefreshTokens: Set<string>;
  };
  settings: OAuthUpstreamSettings;
  events: OAuthUpstreamEvent[];
  revoked: RevokedToken[];
  /** MCP requests that passed the bearer check. */
  mcpRequests: Array<{ method: string | undefined; subject: string | undefined }>;
  /** Every MCP message received, with the bearer token its request carried (before any check). */
  bearers: Array<{ method: string | undefined; token: string | undefined }>;
  /** Every HTTP request received, on any path, with or without a token. */
  readonly requests: number;
  /** Changes settings at run time (not `registration` or `clients`). */
  set(changes: Partial<Omit<OAuthUpstreamSettings, "registration" | "clients">>): void;
  stop(): Promise<void>;
}

export declare const DEFAULTS: Readonly<OAuthUpstreamSettings>;

/** Starts the upstream on 127.0.0.1. */
export declare function startOAuthUpstream(options?: OAuthUpstreamOptions): Promise<OAuthUpstream>;
