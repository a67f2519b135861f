/**
 * An MCP SDK `OAuthClientProvider` for tests, plus the browser part of the flow done over plain HTTP: open the
 * authorization URL, sign in on the gateway's consent page with an API key, and read the code from the redirect.
 * Everything else (401 discovery, metadata, dynamic registration, PKCE, token exchange) is the SDK's own code.
 */
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";

/** A loopback redirect URI that nothing listens on: the test reads the code from the Location header. */
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/**
 * Keeps everything in memory; the test plays the browser. Structurally an `OAuthClientProvider` of the SDK v1 and
 * of the v2 client (@modelcontextprotocol/client) alike.
 */
export class TestOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  savedTokens: OAuthTokens | undefined;
  verifier = "";
  /** Set by the SDK when it needs the user to authorize. */
  authorizationUrl: URL | undefined;
  discovery: OAuthDiscoveryState | undefined;

  get redirectUrl(): string {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "codemode-gateway test client",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

function cookies(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export interface ConsentOutcome {
  status: number;
  location?: string;
  code?: string;
  body: string;
}

/**
 * What a browser does at the authorization URL: GET the consent page, then POST the form with the API key and
 * the decision, carrying the page's binding cookie.
 */
export async function consent(
  authorizationUrl: URL,
  apiKey: string,
  decision: "approve" | "deny" = "approve",
): Promise<ConsentOutcome> {
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, body: html };
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  if (!handle) throw new Error(`no consent handle in the page:\n${html}`);
  const res = await fetch(authorizationUrl, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies(page) },
    body: new URLSearchParams({ handle, api_key: apiKey, decision }),
  });
  const location = res.headers.get("location") ?? undefined;
  const code = location ? (new URL(location).searchParams.get("code") ?? undefined) : undefined;
  return { status: res.status, body: await res.text(), ...(location ? { location } : {}), ...(code ? { code } : {}) };
}
