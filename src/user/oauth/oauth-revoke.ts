/**
 * @module user/oauth/oauth-revoke
 * Token revocation (RFC 7009) when a user removes a server: the refresh token first (revoking it ends the grant
 * at most servers), then the access token, each with the client's authentication, through the guarded fetch.
 * Only where the authorization server's metadata names a `revocation_endpoint`; a failure never keeps the server
 * from being removed (the tokens are deleted on the host either way).
 */
import {
  assertSecureTokenEndpoint,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  selectClientAuthMethod,
} from "@modelcontextprotocol/client";
import type { OAuthContext } from "./oauth-context";
import { clientFor } from "./oauth-provider";
import type { GrantRow } from "./oauth-store";
import { openTokens } from "./oauth-tokens";

const REVOKE_TIMEOUT_MS = 10_000;

function authenticate(
  client: StoredOAuthClientInformation,
  supported: string[],
  headers: Headers,
  body: URLSearchParams,
): void {
  const method = selectClientAuthMethod(client, supported);
  if (method === "client_secret_basic" && client.client_secret) {
    headers.set("authorization", `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`);
    return;
  }
  body.set("client_id", client.client_id);
  if (method === "client_secret_post" && client.client_secret) body.set("client_secret", client.client_secret);
}

/** Revokes the grant's tokens at its authorization server; true when the server accepted a revocation. */
export async function revokeGrant(ctx: OAuthContext, grant: GrantRow): Promise<boolean> {
  const discovery = JSON.parse(grant.discovery ?? "{}") as Partial<OAuthDiscoveryState>;
  // OpenID provider metadata has no revocation_endpoint in its type; RFC 8414 metadata does.
  const metadata = discovery.authorizationServerMetadata as
    | { revocation_endpoint?: string; revocation_endpoint_auth_methods_supported?: string[] }
    | undefined;
  const endpoint = metadata?.revocation_endpoint;
  const issuer = grant.issuer ?? discovery.authorizationServerUrl;
  if (!endpoint || !issuer || !grant.redirect_uri) return false;
  const tokens = await openTokens(ctx, grant).catch(() => undefined);
  const client = await clientFor(ctx, issuer, grant.redirect_uri, grant.server_url).catch(() => undefined);
  if (!tokens || !client) return false;
  const url = assertSecureTokenEndpoint(endpoint);
  const supported =
    metadata?.revocation_endpoint_auth_methods_supported ??
    discovery.authorizationServerMetadata?.token_endpoint_auth_methods_supported ??
    [];
  let revoked = false;
  const pairs: Array<[string | undefined, string]> = [
    [tokens.refresh_token, "refresh_token"],
    [tokens.access_token, "access_token"],
  ];
  for (const [token, hint] of pairs) {
    if (!token) continue;
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
    const body = new URLSearchParams({ token, token_type_hint: hint });
    authenticate(client, supported, headers, body);
    try {
      const response = await ctx.fetch(url.href, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => {});
      revoked ||= response.ok;
    } catch {
      // Unreachable or refused by the network rules: the tokens are still deleted on the host.
    }
  }
  return revoked;
}
