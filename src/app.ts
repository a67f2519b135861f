/**
 * @module app
 * The Hono app: `/mcp` (the gateway's MCP endpoint), `/servers/<name>/mcp` (built-in upstreams), `/health`.
 * Origin is checked on every MCP route (DNS-rebinding protection); requests without Origin (non-browser
 * clients) pass.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { loadConfig } from "./config";
import type { Env } from "./env";
import { GATEWAY_VERSION } from "./mcp/gateway-server";
import { serveBuiltin } from "./servers/builtin-servers";
import { type McpVariables, mcpRoute } from "./session/mcp-route";

/** The user every request acts as while authentication is off (local development). */
export const LOCAL_USER = "local";

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
  if (origin !== undefined) {
    const own = new URL(c.req.url).origin;
    const config = loadConfig(c.env.GATEWAY_CONFIG);
    const allowed = config.ok ? config.config.allowed_origins : [];
    if (origin !== own && !allowed.includes(origin)) {
      return c.json(
        { jsonrpc: "2.0", error: { code: -32000, message: `Forbidden: Origin ${origin} is not allowed` }, id: null },
        403,
      );
    }
  }
  const config = loadConfig(c.env.GATEWAY_CONFIG);
  if (!config.ok) {
    return c.json({ jsonrpc: "2.0", error: { code: -32603, message: config.error }, id: null }, 500);
  }
  c.set("user", LOCAL_USER);
  await next();
};
app.use("/mcp", guard);
app.use("/servers/*", guard);

app.route("/mcp", mcpRoute);
app.all("/servers/*", (c) => serveBuiltin(c.req.raw, c.env, c.get("user")));

app.notFound((c) => c.json({ error: "not found", endpoints: ["/mcp", "/health", "/servers/workspace/mcp"] }, 404));

app.onError((err, c) => {
  if (err instanceof HTTPException) return err.getResponse();
  console.error("unhandled error", err);
  return c.json({ error: "internal error" }, 500);
});
