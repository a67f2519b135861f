/**
 * @module app
 * The Hono app: `/mcp` (the gateway's MCP endpoint), `/servers/<name>/mcp` (built-in upstreams, only with
 * `expose_builtin_routes`, src/servers/builtin-route.ts), `/health`.
 * Every MCP route checks Origin (DNS-rebinding protection, src/auth/origin.ts; requests without Origin pass) and
 * then authenticates the caller (src/auth/authenticate.ts): the user id it yields names the session objects,
 * the workspace and the skills. `/authorize` is the OAuth sign-in page (only in OAuth mode).
 * `/signin`, `/connections` and `/web/assets` are the web pages (src/web/), signed in by cookie.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { authenticate } from "./auth/authenticate";
import { authorizeRoute } from "./auth/authorize-page";
import { forbiddenOrigin, originAllowed } from "./auth/origin";
import { loadConfig } from "./config";
import type { Env } from "./env";
import { GATEWAY_VERSION } from "./mcp/gateway-server";
import { serveBuiltinRoute } from "./servers/builtin-route";
import { type McpVariables, mcpRoute, tooLarge } from "./session/mcp-route";
import { discardRequestBody } from "./shared/read-capped";
import { secretsRoute } from "./user/secrets-route";
import { oauthRoutes } from "./web/oauth-routes";
import { webRoutes } from "./web/web-routes";

export { LOCAL_USER } from "./auth/authenticate";

export const app = new Hono<{ Bindings: Env; Variables: McpVariables }>();

app.get("/health", (c) => {
  const config = loadConfig(c.env.GATEWAY_CONFIG);
  if (!config.ok) return c.json({ ok: false, version: GATEWAY_VERSION, error: config.error }, 500);
  return c.json({
    ok: true,
    version: GATEWAY_VERSION,
    servers: config.config.servers.map((s) => s.name),
  });
});

const guard: MiddlewareHandler<{ Bindings: Env; Variables: McpVariables }> = async (c, next) => {
  const origin = c.req.header("origin");
  const config = loadConfig(c.env.GATEWAY_CONFIG);
  if (origin !== undefined && !originAllowed(origin, c.req.url, config.ok ? config.config.allowed_origins : [])) {
    return forbiddenOrigin(origin);
  }
  if (!config.ok) {
    return c.json({ jsonrpc: "2.0", error: { code: -32603, message: config.error }, id: null }, 500);
  }
  const auth = await authenticate(c.req.raw, c.env, config.config.auth);
  if (!auth.ok) return auth.response;
  c.set("user", auth.user);
  // A declared size over the limit is refused on every route; /mcp also caps what it actually reads.
  const max = config.config.limits.max_request_bytes;
  if (Number(c.req.header("content-length") ?? 0) > max) {
    await discardRequestBody(c.req.raw);
    return tooLarge(max);
  }
  await next();
};
app.use("/mcp", guard);
app.use("/servers/*", guard);
app.use("/secrets", guard);
app.use("/secrets/*", guard);

app.route("/mcp", mcpRoute);
app.route("/authorize", authorizeRoute);
app.route("/connections", oauthRoutes);
app.route("/", webRoutes as unknown as Hono<{ Bindings: Env; Variables: McpVariables }>);
app.route("/secrets", secretsRoute);
app.all("/servers/*", (c) => {
  const config = loadConfig(c.env.GATEWAY_CONFIG);
  if (!config.ok) return c.json({ error: config.error }, 500);
  return serveBuiltinRoute(c.req.raw, c.env, c.executionCtx.exports, c.get("user"), config.config);
});

// A person who opens the gateway's address in a browser lands on their dashboard (sign-in first when needed).
app.get("/", (c) => c.redirect("/dashboard", 302));

app.notFound((c) =>
  c.json({ error: "not found", endpoints: ["/mcp", "/health", "/dashboard", "/connections", "/secrets"] }, 404),
);

app.onError((err, c) => {
  if (err instanceof HTTPException) return err.getResponse();
  console.error("unhandled error", err);
  return c.json({ error: "internal error" }, 500);
});
