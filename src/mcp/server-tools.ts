/**
 * @module mcp/server-tools
 * `add_server`, `authorize_server`, `remove_server`: each user connects their own upstream MCP servers at run time
 * (src/user/user-servers.ts). Listed only when `user_servers.enabled`. Credentials never pass through here as
 * values: headers reference the user's secrets as `${secret:NAME}`, stored on the gateway's /connections page.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { storeSecretsHint } from "../user/secret-hosts";
import { hostOf } from "../user/user-servers";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

const NAME = z.string().max(64);

/** Most tool names add_server lists (the rest are found with search_tools). */
const MAX_LISTED_TOOLS = 50;

const isTable = (v: unknown): v is object => v !== null && typeof v === "object" && !Array.isArray(v);
/**
 * Header names are data: read into name-value pairs before zod's record would copy them into `{}` (which
 * silently drops a `__proto__` key). Shown to clients as a plain object (values are strings).
 */
const HEADERS = z
  .unknown()
  .transform((value, ctx): Array<[string, string]> => {
    if (!isTable(value)) {
      ctx.addIssue({ code: "custom", message: 'headers: expected an object of "Header-Name": "value"' });
      return z.NEVER;
    }
    const pairs: Array<[string, string]> = [];
    for (const [name, v] of Object.entries(value)) {
      if (typeof v !== "string") {
        ctx.addIssue({ code: "custom", message: `header ${name.slice(0, 100)}: expected a string value` });
        return z.NEVER;
      }
      pairs.push([name, v]);
    }
    return pairs;
  })
  .meta({ type: "object" });

export function registerServerTools(server: McpServer, ctx: GatewayContext): void {
  const ops = ctx.userServers;
  if (!ops || ctx.config?.user_servers.enabled === false) return;

  server.registerTool(
    "add_server",
    {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the gateway's own reference syntax, shown to the model
      description: "Add the user's MCP server; headers may use ${secret:NAME}.",
      inputSchema: {
        name: NAME,
        url: z.string().max(2_048),
        headers: HEADERS.optional(),
      },
    },
    async ({ name, url, headers }) => {
      const r = await ops.add({ name, url, ...(headers ? { headers } : {}) });
      if (!r.ok) return errorResult(r.error);
      const e = r.entry;
      const module = `servers/${e.serverId}`;
      if (r.authorization_url) {
        return structuredResult(
          { server: e.name, module, status: "authorization_required", authorization_url: r.authorization_url },
          `${e.name} needs sign-in: ask the user to open ${r.authorization_url}, then use its tools from "${module}".`,
        );
      }
      const tools = e.tools.slice(0, MAX_LISTED_TOOLS).map((t) => t.id);
      const missing = e.status === "ok" ? [] : (e.auth.missing_secrets ?? []);
      const data = {
        server: e.name,
        module,
        status: e.status === "ok" ? "connected" : "error",
        ...(e.error ? { error: e.error } : {}),
        ...(missing.length ? { missing_secrets: missing } : {}),
        ...(r.authorization_error ? { authorization_error: r.authorization_error } : {}),
        tool_count: e.tools.length,
        tools,
      };
      // The connection's error names the server first ("hdr: ..."): the text names it once.
      const error = e.error ?? "it could not be listed";
      const why = error.startsWith(`${e.name}: `) ? error.slice(e.name.length + 2) : error;
      const text =
        e.status === "ok"
          ? `${e.name} added (import from "${module}"): ${e.tools.length} tools: ${tools.join(", ")}${e.tools.length > tools.length ? ", …" : ""}`
          : missing.length
            ? `${e.name} added (import from "${module}"); it needs secret ${missing.join(", ")} before it can connect: ${storeSecretsHint(missing, hostOf(new URL(e.url)))}`
            : `${e.name} added (import from "${module}"), but listing its tools failed: ${why}${r.authorization_error ? `; sign-in: ${r.authorization_error}` : ""}`;
      return structuredResult(data, text);
    },
  );

  server.registerTool(
    "authorize_server",
    { description: "Sign-in URL for the user's server.", inputSchema: { name: NAME } },
    async ({ name }) => {
      const r = await ops.authorize(name);
      return r.ok
        ? structuredResult(
            { server: name, authorization_url: r.authorization_url },
            `Ask the user to open ${r.authorization_url}`,
          )
        : errorResult(r.error);
    },
  );

  server.registerTool(
    "remove_server",
    { description: "Remove the user's server and revoke its tokens.", inputSchema: { name: NAME } },
    async ({ name }) => {
      const r = await ops.remove(name);
      if (!r.ok) return errorResult(r.error);
      return structuredResult(
        { removed: name, ...(r.revoked === undefined ? {} : { revoked: r.revoked }) },
        `${name} removed${r.revoked ? " (tokens revoked)" : ""}.`,
      );
    },
  );
}
