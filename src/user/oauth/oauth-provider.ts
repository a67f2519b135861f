/**
 * @module user/oauth/oauth-provider
 * The `OAuthClientProvider` the MCP SDK's `auth()` drives for one user server, for one leg of a flow: the start
 * (discovery, client identity, PKCE, the authorization URL) or the callback (the code exchange). Client
 * registrations go to the user's durable storage at once, sealed; everything else the SDK hands over (verifier,
 * state, discovery, the authorization URL, tokens) is captured here and persisted by the flow code
 * (src/user/oauth/oauth-flows.ts) only once `auth()` has succeeded, so a failed leg leaves nothing half-written.
 */
import {
  type OAuthClientInformationContext,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import { clientMetadata, clientMetadataUrl, preRegisteredClient, redirectUri } from "./client-identity";
import type { OAuthContext } from "./oauth-context";

/** What one leg of a flow starts from. */
export interface ProviderInit {
  origin: string;
  serverUrl: string;
  /** The `state` to send (start leg). */
  state?: string;
  /** The flow's recorded discovery and verifier (callback leg). */
  discovery?: OAuthDiscoveryState;
  verifier?: string;
}

/** What `auth()` handed over during one leg. */
export interface Captured {
  verifier?: string;
  location?: string;
  discovery?: OAuthDiscoveryState;
  resource?: string;
  tokens?: StoredOAuthTokens;
}

/** See the module comment. */
export class GatewayOAuthProvider implements OAuthClientProvider {
  readonly captured: Captured = {};
  readonly #ctx: OAuthContext;
  readonly #init: ProviderInit;

  constructor(ctx: OAuthContext, init: ProviderInit) {
    this.#ctx = ctx;
    this.#init = init;
  }

  get redirectUrl(): string {
    return redirectUri(this.#init.origin);
  }

  get clientMetadataUrl(): string | undefined {
    return clientMetadataUrl(this.#init.origin);
  }

  get clientMetadata(): OAuthClientMetadata {
    return clientMetadata(this.#init.origin);
  }

  state(): string {
    if (!this.#init.state) throw new Error("no state for this leg of the flow");
    return this.#init.state;
  }

  clientInformation(ctx?: OAuthClientInformationContext): Promise<StoredOAuthClientInformation | undefined> {
    if (!ctx) return Promise.resolve(undefined);
    return clientFor(this.#ctx, ctx.issuer, this.redirectUrl, this.#init.serverUrl);
  }

  async saveClientInformation(info: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): Promise<void> {
    const issuer = ctx?.issuer ?? info.issuer;
    if (!issuer) return;
    if (preRegisteredClient(this.#ctx.config.oauth_clients, this.#ctx.env, issuer, this.#init.serverUrl)) return;
    const sealed = await this.#ctx.vault.seal("oauth-client", clientKey(issuer, this.redirectUrl), info);
    this.#ctx.store.saveClient(issuer, this.redirectUrl, sealed);
  }

  /** The tokens of this leg: none before the exchange (a re-authorization never refreshes through here). */
  tokens(): StoredOAuthTokens | undefined {
    return this.captured.tokens;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.captured.tokens = tokens;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.captured.location = authorizationUrl.href;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.captured.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.#init.verifier) throw new Error("no PKCE verifier for this leg of the flow");
    return this.#init.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.captured.discovery = state;
  }

  /** The start leg discovers afresh (the challenge may name new metadata); the callback leg uses the flow's. */
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#init.discovery;
  }

  saveResourceUrl(resource: string): void {
    this.captured.resource = resource;
  }

  /** A client the authorization server no longer knows is forgotten, so the next sign-in registers again. */
  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    if (scope === "tokens" || scope === "verifier" || scope === "discovery") return;
    const issuer = (this.captured.discovery ?? this.#init.discovery)?.authorizationServerMetadata?.issuer;
    if (issuer) this.#ctx.store.deleteClient(issuer, this.redirectUrl);
  }
}

const clientKey = (issuer: string, redirect: string) => `${issuer} ${redirect}`;

/**
 * The gateway's client at the authorization server `issuer`: the operator's pre-registered one, else the one this
 * user registered (dynamically, or by metadata document URL) for the redirect URI `redirect`.
 */
export async function clientFor(
  ctx: OAuthContext,
  issuer: string,
  redirect: string,
  serverUrl: string,
): Promise<StoredOAuthClientInformation | undefined> {
  const configured = preRegisteredClient(ctx.config.oauth_clients, ctx.env, issuer, serverUrl);
  if (configured) return configured;
  const sealed = ctx.store.client(issuer, redirect);
  return sealed ? ctx.vault.open("oauth-client", clientKey(issuer, redirect), sealed) : undefined;
}
