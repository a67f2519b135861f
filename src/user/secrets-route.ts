/**
 * @module user/secrets-route
 * `/secrets`: the signed-in user's own secrets over plain HTTP, for scripts and command lines (the /connections
 * page is the way for people). Authenticated like /mcp (API key, or the local user with authentication off);
 * write-only like the page: `GET /secrets` lists names, update times and allowed hosts, `PUT /secrets/<NAME>`
 * stores the request body as the value (`?hosts=a.example,b.example` sets the hosts it may be sent to; an empty body
 * with `?hosts=` changes only those), `DELETE /secrets/<NAME>` forgets it. Values never come back.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import type { McpVariables } from "../session/mcp-route";
import { userObject } from "./user-api";
import { MAX_SECRET_CHARS } from "./user-secrets";

export const secretsRoute = new Hono<{ Bindings: Env; Variables: McpVariables }>();

secretsRoute.get("/", async (c) => c.json({ secrets: await userObject(c.env, c.get("user")).listSecrets() }));

secretsRoute.put("/:name", async (c) => {
  const text = await c.req.text();
  if (text.length > MAX_SECRET_CHARS) return c.json({ error: `the value is over ${MAX_SECRET_CHARS} characters` }, 413);
  // A trailing newline from `curl --data-binary @file` or `echo` is not part of a token.
  const r = await userObject(c.env, c.get("user")).setSecret(
    c.req.param("name"),
    text.replace(/\r?\n$/, ""),
    c.req.query("hosts"),
  );
  return r.ok ? c.json({ stored: c.req.param("name") }) : c.json({ error: r.error }, 400);
});

secretsRoute.delete("/:name", async (c) => {
  const r = await userObject(c.env, c.get("user")).deleteSecret(c.req.param("name"));
  if (!r.ok) return c.json({ error: r.error }, 400);
  return r.deleted ? c.json({ deleted: c.req.param("name") }) : c.json({ error: "no such secret" }, 404);
});
