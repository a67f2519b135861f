/**
 * @module registry/bearer-challenge
 * What a user server's 401 or 403 says about the sign-in it wants, read from its `WWW-Authenticate` challenge: the
 * `scope` (MCP authorization: the scopes the operation needs) and the `resource_metadata` URL (RFC 9728). The
 * challenge is the upstream's data: the header is read to {@link MAX_CHALLENGE_CHARS} characters, only scope tokens
 * as RFC 6749 §3.3 defines them are kept, each once, at most 100 of them and 4,096 characters in all
 * (src/user/oauth/sign-in-scope.ts), and a metadata URL longer than {@link MAX_METADATA_URL_CHARS} is dropped. The
 * sign-in it leads to checks the URL against the network rules (src/user/oauth/oauth-flows.ts).
 */
import { extractWWWAuthenticateParams } from "@modelcontextprotocol/client";
import { scopeSet } from "../user/oauth/sign-in-scope";

/** Most characters of a `WWW-Authenticate` header read (the rest is not looked at). */
export const MAX_CHALLENGE_CHARS = 8_192;
/** A longer `resource_metadata` URL is dropped (discovery then tries the well-known locations). */
export const MAX_METADATA_URL_CHARS = 2_048;

/** A challenge's sign-in hints, bounded (see the module comment). */
export interface BearerChallenge {
  scope?: string;
  resourceMetadataUrl?: string;
}

/** The bounded `scope` and `resource_metadata` of `response`'s challenge; `{}` without one. */
export function bearerChallenge(response: Response): BearerChallenge {
  const header = response.headers.get("www-authenticate");
  if (!header) return {};
  const capped = new Headers({ "www-authenticate": header.slice(0, MAX_CHALLENGE_CHARS) });
  const { scope, resourceMetadataUrl } = extractWWWAuthenticateParams(new Response(null, { headers: capped }));
  const kept = scopeSet(scope);
  const url = resourceMetadataUrl?.href;
  return {
    ...(kept ? { scope: kept } : {}),
    ...(url && url.length <= MAX_METADATA_URL_CHARS ? { resourceMetadataUrl: url } : {}),
  };
}
