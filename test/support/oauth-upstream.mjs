// A real OAuth-protected MCP server for tests, built from the MCP SDK v1's own auth router (mcpAuthRouter) and
// bearer middleware (requireBearerAuth) on express 5, with an in-memory authorization server
// (oauth-upstream/provider.mjs). One origin is both the authorization server (issuer `http://127.0.0.1:PORT/`)
// and the protected resource (`/mcp`). 127.0.0.1 only.
//
//   node test/support/oauth-upstream.mjs --port 9300 [--auto-approve] [--subject alice] [--access-ttl 5]
//     [--bad-iss | --no-iss] [--fail-refresh] [--no-registration] [--no-resource-required] [--cimd]
//     [--client id:secret:redirect_uri]            prints the MCP URL on stdout, stops on SIGTERM/SIGINT
//
//   import { startOAuthUpstream } from "../support/oauth-upstream.mjs";
//   const up = await startOAuthUpstream({ autoApprove: true, accessTokenTtl: 2 });  // up.url, up.set({...}), up.stop()
//
// Tools: `whoami` (the token's subject, client, scopes; with `echoToken` the token itself), `echo`, and
// `admin_report`, which needs the `admin` scope: without it the HTTP layer answers 403 insufficient_scope (step-up)
// before the call reaches the server. Which tool needs which scope is the `toolScopes` setting (e.g.
// `[["admin_report", "admin"], ["echo", "write"]]`; a scope it names must also be in `scopesSupported`).
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { createOAuthMetadata, mcpAuthRouter } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import express from "express";
import { z } from "zod";
import { MemoryOAuthProvider } from "./oauth-upstream/provider.mjs";

/** Default settings; every one can be passed to startOAuthUpstream and most changed later with `set`. */
export const DEFAULTS = Object.freeze({
  /** Skip the consent page and approve as `subject` (non-browser tests). */
  autoApprove: false,
  /** The user the consent page proposes, and the one auto-approval signs in. */
  subject: "alice",
  /** Access-token lifetime in seconds (short for refresh tests). */
  accessTokenTtl: 3600,
  refreshTokenTtl: 30 * 24 * 3600,
  /** Issue refresh tokens at all. */
  refreshTokens: true,
  /** The authorization server's scopes (RFC 8414 scopes_supported). */
  scopesSupported: ["mcp", "admin"],
  /**
   * The protected resource metadata's scopes_supported: only the base scope, because a client with no challenge
   * asks for all of these (MCP scope selection), and `admin` must stay for step-up.
   */
  resourceScopes: ["mcp"],
  /** Granted when the client asks for no scope; also the scope the 401 challenge names. */
  defaultScopes: ["mcp"],
  /** Refuse authorization requests without the RFC 8707 `resource` parameter. */
  requireResource: true,
  /** Dynamic client registration (fixed at start: it decides whether the metadata has a registration_endpoint). */
  registration: true,
  /** Pre-registered clients: [{ client_id, client_secret?, redirect_uris, token_endpoint_auth_method? }]. */
  clients: [],
  /** Accept Client ID Metadata Document URLs as client_id (https; http too with cimdAllowHttp, for loopback). */
  cimd: true,
  cimdAllowHttp: false,
  // Misbehaviour switches, for negative tests.
  /** `iss` on the authorization redirect: "correct", "wrong" (another issuer) or "missing". */
  iss: "correct",
  /** Refuse every refresh with invalid_grant. */
  failRefresh: false,
  /** Protected resource metadata `resource` override (a resource that is not this server). */
  prmResource: undefined,
  /** Protected resource metadata `authorization_servers` override (an authorization server elsewhere). */
  authorizationServers: undefined,
  /** Authorization server metadata `issuer` override (not the URL it was fetched from). */
  asIssuer: undefined,
  /** Answer requests without a token with a bare 401: no WWW-Authenticate (clients find the well-known metadata). */
  bareChallenge: false,
  /** Serve everything but tools/call without a token (a server that asks for a sign-in only when a tool is called). */
  openListing: false,
  /** Tools that need a scope beyond the default, as [tool, scope] pairs: calling one without it is a step-up. */
  toolScopes: [["admin_report", "admin"]],
  /** `whoami` also returns the access token it was called with (a server that echoes its credentials). */
  echoToken: false,
  /** Hold every tools/call request, before any check, until this is set back to false. */
  holdCalls: false,
  /**
   * The scopes a request that carries a token must have, named by the challenge of the 401 (refused token) or 403
   * it gets; unset: `defaultScopes`. A request without a token is still challenged with `defaultScopes`, so a
   * server whose 401 to a revoked token names other scopes than its token-less 401 is this set after the revocation.
   */
  tokenScopes: undefined,
  /**
   * Scopes the authorization server no longer grants (still in its metadata, as a server that dropped them may
   * leave them): an authorization request naming one is sent back with `invalid_scope`, or with `dropScopesAt:
   * "token"` the code is issued and the token request answers `invalid_scope`.
   */
  droppedScopes: [],
  dropScopesAt: "authorize",
  /** A step-up's 403 challenge names the granted scopes with the one needed; false: the needed one alone. */
  stepUpNamesGranted: true,
});

const SETTABLE = new Set(Object.keys(DEFAULTS).filter((k) => k !== "registration" && k !== "clients"));

// RFC 6749 §2.3.1: client_secret_basic carries form-encoded id and secret; the SDK's handlers read the body only.
function basicClientAuth(req, _res, next) {
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith("basic ") && req.body && req.body.client_id === undefined) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      req.body.client_id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
      req.body.client_secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
    }
  }
  next();
}

function mcpServerFor(auth, settings) {
  const server = new McpServer({ name: "oauth-upstream", version: "1.0.0" });
  const who = () => ({
    subject: auth.extra?.subject,
    client_id: auth.clientId,
    scopes: auth.scopes,
    resource: auth.resource?.href,
  });
  const text = (value) => ({ content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value });
  server.registerTool(
    "whoami",
    { description: "The signed-in user, client and granted scopes", inputSchema: {} },
    async () => text({ ...who(), ...(settings.echoToken ? { token: auth.token } : {}) }),
  );
  server.registerTool(
    "echo",
    { description: "Returns its text", inputSchema: { text: z.string() } },
    async ({ text: value }) => text({ text: value, subject: auth.extra?.subject }),
  );
  server.registerTool(
    "admin_report",
    { description: "A report that needs the admin scope", inputSchema: {} },
    async () => text({ report: "all systems nominal", ...who() }),
  );
  return server;
}

/**
 * Starts the upstream on 127.0.0.1 (`port` 0 picks a free one).
 * @returns {Promise<{ url: string, issuer: string, resource: string, port: number, provider: MemoryOAuthProvider,
 *   settings: object, events: object[], revoked: object[], set(changes: object): void, stop(): Promise<void> }>}
 */
export async function startOAuthUpstream(options = {}) {
  const settings = { ...DEFAULTS, ...options };
  const http = createServer();
  await new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = http.address();
  const origin = `http://127.0.0.1:${port}`;
  const issuer = new URL(`${origin}/`);
  const resource = new URL(`${origin}/mcp`);
  const prmUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
  const provider = new MemoryOAuthProvider(settings, issuer.href, resource.href);
  const mcpRequests = [];

  const app = express();
  app.disable("x-powered-by");
  // The metadata documents are served here first so the switches and the fields the SDK's router does not know
  // (RFC 9207 iss support, CIMD) apply; the router still serves every endpoint they name.
  app.get("/.well-known/oauth-authorization-server", (_req, res) => {
    const base = createOAuthMetadata({ provider, issuerUrl: issuer, scopesSupported: settings.scopesSupported });
    res.json({
      ...base,
      issuer: settings.asIssuer ?? base.issuer,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: settings.cimd,
    });
  });
  app.get("/.well-known/oauth-protected-resource/mcp", (_req, res) => {
    res.json({
      resource: settings.prmResource ?? resource.href,
      authorization_servers: settings.authorizationServers ?? [issuer.href],
      scopes_supported: settings.resourceScopes,
      bearer_methods_supported: ["header"],
      resource_name: "oauth-upstream",
    });
  });
  for (const path of ["/token", "/revoke"]) app.use(path, express.urlencoded({ extended: false }), basicClientAuth);
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: issuer,
      resourceServerUrl: resource,
      scopesSupported: settings.scopesSupported,
      resourceName: "oauth-upstream",
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      clientRegistrationOptions: { rateLimit: false },
      revocationOptions: { rateLimit: false },
    }),
  );
  app.post("/consent", express.urlencoded({ extended: false }), (req, res) => provider.decide(res, req.body ?? {}));

  // Made per request: `tokenScopes` and `defaultScopes` may change at run time.
  const bearer = (req, res, next) =>
    requireBearerAuth({
      verifier: provider,
      requiredScopes: (req.headers.authorization && settings.tokenScopes) || settings.defaultScopes,
      resourceMetadataUrl: prmUrl,
      expectedResource: resource,
    })(req, res, next);
  // Step-up (MCP authorization, "insufficient_scope"): a call to a scoped tool without its scope is refused at the
  // HTTP layer with the scopes needed, so the client can re-authorize with them.
  const stepUp = (req, res, next) => {
    const messages = Array.isArray(req.body) ? req.body : [req.body];
    const granted = new Set(req.auth.scopes);
    const scoped = new Map(settings.toolScopes);
    for (const message of messages) {
      const needed = message?.method === "tools/call" ? scoped.get(message.params?.name) : undefined;
      if (needed && !granted.has(needed)) {
        const scope = settings.stepUpNamesGranted ? [...new Set([...req.auth.scopes, needed])].join(" ") : needed;
        res.set(
          "WWW-Authenticate",
          `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${prmUrl}", error_description="${message.params.name} needs the ${needed} scope"`,
        );
        res.status(403).json({ error: "insufficient_scope", error_description: `the ${needed} scope is required` });
        return;
      }
    }
    next();
  };
  // Misbehaviour switches for requests without a token (bareChallenge, openListing); the rest goes to the bearer check.
  const tokenless = (req, res, next) => {
    if (req.headers.authorization) return bearer(req, res, next);
    const messages = Array.isArray(req.body) ? req.body : [req.body];
    if (settings.openListing && messages.every((m) => m?.method !== "tools/call")) {
      req.auth = { token: "", clientId: "", scopes: [], extra: {} };
      return next();
    }
    if (settings.bareChallenge) {
      res.status(401).json({ error: "invalid_token", error_description: "sign in first" });
      return;
    }
    return bearer(req, res, next);
  };
  // Every bearer token /mcp receives, and tools/call held while `holdCalls` is set, before any check.
  const bearers = [];
  const received = async (req, _res, next) => {
    const messages = Array.isArray(req.body) ? req.body : [req.body];
    const token = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    for (const m of messages) bearers.push({ method: m?.method, token });
    if (messages.some((m) => m?.method === "tools/call")) {
      while (settings.holdCalls) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    next();
  };
  app.all("/mcp", express.json({ limit: "1mb" }), received, tokenless, stepUp, async (req, res) => {
    const messages = Array.isArray(req.body) ? req.body : [req.body];
    for (const m of messages) mcpRequests.push({ method: m?.method, subject: req.auth.extra?.subject });
    const server = mcpServerFor(req.auth, settings);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close().catch(() => {});
      server.close().catch(() => {});
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const seen = { requests: 0 };
  http.on("request", (req, res) => {
    seen.requests++;
    app(req, res);
  });

  return {
    url: resource.href,
    issuer: issuer.href,
    resource: resource.href,
    resourceMetadataUrl: prmUrl,
    port,
    provider,
    settings,
    events: provider.events,
    revoked: provider.revoked,
    /** MCP requests that passed the bearer check: { method, subject }. */
    mcpRequests,
    /** Every MCP message received, with the bearer token its request carried (before any check). */
    bearers,
    /** Every HTTP request received, on any path, with or without a token. */
    get requests() {
      return seen.requests;
    },
    /** Changes settings at run time (not `registration` or `clients`, fixed at start). */
    set(changes) {
      for (const key of Object.keys(changes)) {
        if (!SETTABLE.has(key)) throw new Error(`oauth-upstream: "${key}" cannot be changed after start`);
        settings[key] = changes[key];
      }
    },
    stop() {
      return new Promise((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

function parseCli(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--port") options.port = Number(value());
    else if (arg === "--auto-approve") options.autoApprove = true;
    else if (arg === "--subject") options.subject = value();
    else if (arg === "--access-ttl") options.accessTokenTtl = Number(value());
    else if (arg === "--bad-iss") options.iss = "wrong";
    else if (arg === "--no-iss") options.iss = "missing";
    else if (arg === "--fail-refresh") options.failRefresh = true;
    else if (arg === "--no-registration") options.registration = false;
    else if (arg === "--no-resource-required") options.requireResource = false;
    else if (arg === "--cimd-allow-http") options.cimdAllowHttp = true;
    else if (arg === "--client") {
      const [client_id, client_secret, ...redirect] = value().split(":");
      options.clients = [
        ...(options.clients ?? []),
        { client_id, client_secret: client_secret || undefined, redirect_uris: [redirect.join(":")] },
      ];
    } else throw new Error(`unknown option ${arg}; see the header of test/support/oauth-upstream.mjs`);
  }
  if (!Number.isInteger(options.port) || options.port < 0) throw new Error("--port N is required (0 = any free port)");
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`oauth-upstream: ${error.message}`);
    process.exit(2);
  }
  const upstream = await startOAuthUpstream(options);
  console.log(upstream.url);
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => upstream.stop().then(() => process.exit(0)));
}
