/**
 * @module auth/oauth
 * The Worker's fetch entry. With `auth.mode = "oauth"` every request goes through `@cloudflare/workers-oauth-provider`
 * (one Worker that is both the OAuth 2.1 authorization server and the protected resource): it serves RFC 8414 and
 * RFC 9728 metadata (`/.well-known/oauth-authorization-server`, `/.well-known/oauth-protected-resource`), dynamic
 * client registration, the token endpoint, and answers `/mcp` and `/servers/*` without a valid token with
 * `401` + `WWW-Authenticate: Bearer resource_metadata="…"`. It accepts only tokens whose audience is this
 * gateway's resource. Valid requests reach the Hono app with the grant's user (src/auth/authenticate.ts);
 * `/authorize` is the gateway's own sign-in and consent page (src/auth/authorize-page.ts).
 *
 * The resource is the gateway's origin, so one audience covers `/mcp` and the built-in servers' routes. The
 * provider is built lazily because the configuration (and, when `auth.oauth.resource` is unset, the origin the
 * gateway is reached by) is known only per request.
 */
import { OAuthProvider } from "@cloudflare/workers-oauth-provider";
import type { Hono } from "hono";
import { type AuthConfig, loadConfig } from "../config";
import type { Env } from "../env";
import { markOAuthUser, refuseQueryToken } from "./authenticate";

/** The paths only a valid access token reaches. */
export const PROTECTED_ROUTES = ["/mcp", "/servers/", "/secrets"];
/** The authorization endpoint, served by the app (src/auth/authorize-page.ts). */
export const AUTHORIZE_PATH = "/authorize";
const MAX_PROVIDERS = 8;

type App = Pick<Hono<any>, "fetch">;

const providers = new Map<string, OAuthProvider<Env>>();

function configError(message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code: -32603, message }, id: null }, { status: 500 });
}

function providerFor(app: App, auth: AuthConfig, resource: string): OAuthProvider<Env> {
  const key = `${resource} ${auth.oauth.access_token_ttl_seconds}`;
  let provider = providers.get(key);
  if (provider) return provider;
  const handler = (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx);
  provider = new OAuthProvider<Env>({
    apiRoute: PROTECTED_ROUTES,
    apiHandler: {
      fetch(request, env, ctx) {
        const user = (ctx as ExecutionContext & { props?: { user?: unknown } }).props?.user;
        if (typeof user === "string") markOAuthUser(request as Request, user);
        return handler(request as Request, env, ctx);
      },
    },
    defaultHandler: { fetch: (request, env, ctx) => handler(request as Request, env, ctx) },
    authorizeEndpoint: AUTHORIZE_PATH,
    tokenEndpoint: "/oauth/token",
    clientRegistrationEndpoint: "/oauth/register",
    accessTokenTTL: auth.oauth.access_token_ttl_seconds,
    resourceMetadata: {
      resource,
      authorization_servers: [new URL(resource).origin],
      bearer_methods_supported: ["header"],
      resource_name: "codemode-gateway",
    },
  });
  // Without a configured resource the key follows the Host header; bound the cache so it cannot grow unchecked.
  if (providers.size >= MAX_PROVIDERS) providers.delete(providers.keys().next().value!);
  providers.set(key, provider);
  return provider;
}

/** The Worker's `fetch`: the app directly, or behind the OAuth provider when `auth.mode` is "oauth". */
export function gatewayFetch(app: App): ExportedHandlerFetchHandler<Env> {
  return (request, env, ctx) => {
    const refused = refuseQueryToken(request as Request);
    if (refused) return refused;
    const loaded = loadConfig(env.GATEWAY_CONFIG);
    if (!loaded.ok || loaded.config.auth.mode !== "oauth") return app.fetch(request as Request, env, ctx);
    const auth = loaded.config.auth;
    if (!env.OAUTH_KV) {
      return configError(
        'auth.mode is "oauth" but no KV namespace is bound as OAUTH_KV: create one (wrangler kv namespace create OAUTH_KV) and add it to wrangler.toml as [[kv_namespaces]] binding = "OAUTH_KV"',
      );
    }
    const resource = (auth.oauth.resource ?? new URL(request.url).origin).replace(/\/$/, "");
    let provider: OAuthProvider<Env>;
    try {
      provider = providerFor(app, auth, resource);
    } catch (err) {
      return configError(
        `auth.oauth.resource ${resource} is not usable: ${(err as Error).message} (use the gateway's origin, e.g. https://gateway.example.com)`,
      );
    }
    return provider.fetch(request as Request, env, ctx);
  };
}
