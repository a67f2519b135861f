/**
 * The conformance suite's client harness for the `auth/*` scenarios (`conformance client --command "tsx
 * scripts/conformance-auth-client.ts"`, run by scripts/conformance-auth.mjs): the gateway's own OAuth client to
 * user servers (src/user/oauth/: OAuthConnections, the same code the user object runs, over an in-memory SQLite
 * store in place of the Durable Object's) and its own upstream connection (src/registry/upstream.ts) against the
 * suite's protected MCP server and authorization server.
 *
 * A 401 or a 403 `insufficient_scope` starts a sign-in that scripts/conformance-auth/sign-in.ts completes as the
 * gateway's routes and the user's browser would; then the request is sent again with the new
 * token. The suite's server URL is the last argument; MCP_CONFORMANCE_CONTEXT may carry pre-registered client
 * credentials. CONFORMANCE_ORIGIN sets the gateway's origin (default http, which registers dynamically; an https
 * origin uses the Client ID Metadata Document where the authorization server supports it).
 */
import { randomBytes } from "node:crypto";
import { extractWWWAuthenticateParams, isStrictScopeSuperset } from "@modelcontextprotocol/client";
import { loadConfig } from "../src/config";
import { guardedFetch } from "../src/registry/guarded-fetch";
import { type FetchLike, UpstreamConnection } from "../src/registry/upstream";
import { OAuthConnections } from "../src/user/oauth/oauth-connections";
import { memorySql } from "./conformance-auth/memory-sql";
import { signIn } from "./conformance-auth/sign-in";

/** Sign-ins one run may make: the suite's retry-limit scenario allows three authorization requests. */
const MAX_SIGN_INS = 3;
const SERVER = "conformance";
const SECRET_ENV = "CONFORMANCE_CLIENT_SECRET";

const log = (message: string) => console.error(`conformance-auth-client: ${message}`);
const url = new URL(process.argv.at(-1) ?? "");
const origin = (process.env.CONFORMANCE_ORIGIN ?? "http://127.0.0.1:8787").replace(/\/$/, "");
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}") as {
  client_id?: string;
  client_secret?: string;
  issuer?: string;
  toolCalls?: Array<{ name: string; arguments?: Record<string, unknown> }>;
};

// The operator's configuration: loopback allowed (the suite listens on localhost), and the suite's pre-registered
// client when the scenario has one, its secret in the env as a Worker secret would be.
const config = {
  servers: [{ name: SERVER, url: url.href }],
  network: { allow_loopback: true },
  ...(context.client_id && context.issuer
    ? {
        oauth_clients: [
          {
            issuer: context.issuer,
            client_id: context.client_id,
            ...(context.client_secret ? { client_secret_env: SECRET_ENV } : {}),
          },
        ],
      }
    : {}),
};
const loaded = loadConfig(config);
if (!loaded.ok) throw new Error(loaded.error);
const env: Record<string, unknown> = {
  GATEWAY_CONFIG: JSON.stringify(config),
  CONNECTIONS_KEY: randomBytes(32).toString("hex"),
  ...(context.client_secret ? { [SECRET_ENV]: context.client_secret } : {}),
};
const oauth = new OAuthConnections(memorySql(), env, "conformance-user");
const target = { server: SERVER, serverUrl: url.href };
const network = guardedFetch((input, init) => fetch(input, init), loaded.config.network);
let signIns = 0;

/** Fetch with the user's token; a 401 refreshes or signs in, a 403 insufficient_scope steps up, then it retries. */
const oauthFetch: FetchLike = async (input, init = {}) => {
  for (;;) {
    const token = await oauth.accessToken(target);
    const headers = new Headers(init.headers);
    if (token.ok) headers.set("authorization", `Bearer ${token.token}`);
    const response = await network(input, { ...init, headers });
    if (response.status !== 401 && response.status !== 403) return response;
    const challenge = extractWWWAuthenticateParams(response);
    if (response.status === 403 && challenge.error !== "insufficient_scope") return response;
    if (response.status === 401 && token.ok) {
      const renewed = await oauth.accessToken(target, { force: true });
      if (renewed.ok && renewed.token !== token.token) continue;
    }
    // Step-up only asks for what was not granted yet: insufficient_scope for scopes already held is final.
    const granted = oauth.status(SERVER)?.scopes?.join(" ");
    if (response.status === 403 && !isStrictScopeSuperset(challenge.scope, granted)) return response;
    if (signIns >= MAX_SIGN_INS) return response;
    await response.body?.cancel();
    signIns++;
    const resourceMetadataUrl = challenge.resourceMetadataUrl?.href;
    await signIn(
      oauth,
      { ...target, origin },
      {
        ...(challenge.scope ? { scope: challenge.scope } : {}),
        ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
      },
    );
    log(`signed in (${signIns})`);
  }
};

const upstream = new UpstreamConnection(loaded.config.servers[0]!, { env: {}, fetch: oauthFetch, url });
try {
  const tools = await upstream.listTools();
  const calls = context.toolCalls ?? (tools[0] ? [{ name: tools[0].name, arguments: {} }] : []);
  for (const call of calls) {
    await upstream.callTool(call.name, call.arguments ?? {}, 10_000).catch((err: Error) => {
      log(`${call.name}: ${err.message}`);
    });
  }
  log(`negotiated ${upstream.protocol}; status ${JSON.stringify(oauth.status(SERVER))}`);
} finally {
  await upstream.close();
}
