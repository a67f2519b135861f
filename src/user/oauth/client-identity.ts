/**
 * @module user/oauth/client-identity
 * Who the gateway is to an upstream's authorization server, in the order of preference of the MCP authorization
 * specification: credentials the operator pre-registered (`oauth_clients` in GATEWAY_CONFIG, the secret a Worker
 * secret named by `client_secret_env`), else a Client ID Metadata Document the gateway serves at
 * {@link CLIENT_METADATA_PATH} (only from an https origin: an authorization server must fetch it, and the SDK
 * refuses a non-https client id), else dynamic client registration (RFC 7591), which the SDK's `auth()` does.
 */
import type { OAuthClientMetadata, StoredOAuthClientInformation } from "@modelcontextprotocol/client";
import { envValue, type OAuthClientConfig } from "../../config";

/** Where the gateway serves its Client ID Metadata Document. */
export const CLIENT_METADATA_PATH = "/connections/client-metadata.json";
/** Where authorization servers send the user back. */
export const CALLBACK_PATH = "/connections/callback";
/** The user-facing link that starts a sign-in (`?flow=<id>`). */
export const AUTHORIZE_PATH = "/connections/authorize";

const CLIENT_NAME = "codemode-gateway";

/** The redirect URI of the gateway at `origin`. */
export function redirectUri(origin: string): string {
  return `${origin}${CALLBACK_PATH}`;
}

/** The Client ID Metadata Document URL of the gateway at `origin`, or undefined when it is not https. */
export function clientMetadataUrl(origin: string): string | undefined {
  return origin.startsWith("https://") ? `${origin}${CLIENT_METADATA_PATH}` : undefined;
}

/** The gateway's client metadata: what it registers dynamically, and what its metadata document says. */
export function clientMetadata(origin: string): OAuthClientMetadata {
  return {
    client_name: CLIENT_NAME,
    client_uri: origin,
    redirect_uris: [redirectUri(origin)],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
}

/** The Client ID Metadata Document served at `origin` (https only; undefined otherwise). */
export function clientMetadataDocument(origin: string): (OAuthClientMetadata & { client_id: string }) | undefined {
  const id = clientMetadataUrl(origin);
  return id ? { client_id: id, ...clientMetadata(origin) } : undefined;
}

/** Two issuer identifiers name the same server (one trailing slash of difference allowed, as the SDK does). */
export function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, "") === b.replace(/\/$/, "");
}

/** A pre-registered client whose secret is missing from the Worker env. */
export class MissingClientSecretError extends Error {
  override readonly name = "MissingClientSecretError";
}

/**
 * The operator's pre-registered client for the authorization server `issuer` (or for the server at `serverUrl`),
 * stamped with the issuer so the SDK never sends it to another authorization server; undefined when none is
 * configured. Throws {@link MissingClientSecretError} when its secret is not set.
 */
export function preRegisteredClient(
  clients: readonly OAuthClientConfig[],
  env: Record<string, unknown>,
  issuer: string,
  serverUrl: string,
): StoredOAuthClientInformation | undefined {
  const entry =
    clients.find((c) => c.issuer !== undefined && sameIssuer(c.issuer, issuer)) ??
    clients.find((c) => c.server_url !== undefined && c.server_url === serverUrl);
  if (!entry) return undefined;
  let secret: string | undefined;
  if (entry.client_secret_env !== undefined) {
    const value = envValue(env, entry.client_secret_env);
    if (typeof value !== "string" || value === "") {
      throw new MissingClientSecretError(
        `oauth_clients names the secret ${entry.client_secret_env}, which is not set: wrangler secret put ${entry.client_secret_env} (or .dev.vars locally)`,
      );
    }
    secret = value;
  }
  return { client_id: entry.client_id, ...(secret === undefined ? {} : { client_secret: secret }), issuer };
}
