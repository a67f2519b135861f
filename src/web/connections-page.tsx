/**
 * @module web/connections-page
 * `/connections` (#15 item 6): where a person, not the model, connects their accounts, so credentials never pass
 * through a conversation. The signed-in user sees their servers with their status, adds and removes servers,
 * connects (OAuth sign-in through the gateway's `/connections/authorize`, src/web/oauth-routes.ts), reconnects and
 * disconnects them, and stores write-only secrets for header-authenticated servers. A server added without headers
 * is checked before the page answers (src/user/server-desk.ts): one that asks for a sign-in is listed as needing
 * it, one that cannot be reached as in error, with Check again. The gateway's own servers are listed read-only.
 * Every action is a POST (CSRF-checked, src/web/web-auth.ts) answered by a redirect back here with a fixed notice
 * (post/redirect/get: reloading never repeats an action), or by the page with the error.
 * Connect lands on `/connections/continue`, a page whose link (followed at once by the page script) goes to the
 * gateway's authorize route: a form's redirect chain may not leave the origin (CSP `form-action 'self'`), a link may.
 *
 * Only these routes take the session middleware: `/connections/authorize` and `/connections/callback` (mounted
 * beside, by src/web/oauth-routes.ts) must work on the authorization server's cross-site redirect back, which
 * does not carry the SameSite=Strict session cookie.
 */
import { type Context, Hono } from "hono";
import { displayUrl } from "../registry/server-entry";
import { attempt, connectionsOf, type ServerView } from "./connections-api";
import { type ConnectionsModel, ConnectionsView, ContinueSignIn } from "./connections-view";
import { page } from "./layout";
import { checkCsrf, requireWebUser, webConfig } from "./web-auth";
import type { WebEnv } from "./web-types";

/** Names that notices may repeat (server and secret names); anything else in a notice link is dropped. */
const NOTICE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Sign-in flow ids (src/user/oauth/oauth-flows.ts). */
const FLOW_ID = /^[A-Za-z0-9_-]{16,64}$/;

const NOTICES = new Map<string, (name: string) => string>([
  ["added", (n) => `Added ${n}.`],
  ["added_sign_in", (n) => `Added ${n}. It asks you to sign in: choose Connect.`],
  ["added_failed", (n) => `Added ${n}, but the gateway cannot use it yet: its status says why.`],
  ["checked", (n) => `Checked ${n}: it answers.`],
  ["checked_sign_in", (n) => `Checked ${n}: it asks you to sign in, so choose Connect.`],
  ["checked_failed", (n) => `Checked ${n}: the gateway still cannot use it; its status says why.`],
  ["removed", (n) => `Removed ${n}.`],
  ["removed_revoked", (n) => `Removed ${n}; its tokens were revoked at the authorization server.`],
  ["disconnected", (n) => `Disconnected ${n}; its tokens are forgotten.`],
  ["disconnected_revoked", (n) => `Disconnected ${n}; its tokens were revoked at the authorization server.`],
  ["secret_saved", (n) => `Saved the secret ${n}.`],
  ["secret_deleted", (n) => `Deleted the secret ${n}.`],
]);

function noticeOf(c: Context<WebEnv>): string | undefined {
  const make = NOTICES.get(c.req.query("done") ?? "");
  const name = c.req.query("name") ?? "";
  return make && NOTICE_NAME.test(name) ? make(name) : undefined;
}

function done(c: Context<WebEnv>, code: string, name: string) {
  return c.redirect(`/connections?done=${code}&name=${encodeURIComponent(name)}`, 303);
}

/** The notice suffix for what a check of a server found: nothing to do, a sign-in to make, or a failure. */
function checkedSuffix(server: ServerView): string {
  if (server.auth.status === "error") return "_failed";
  return server.auth.type === "oauth" && server.auth.status === "authorization_required" ? "_sign_in" : "";
}

/** Renders the page: the user's servers and secrets (read fresh), the gateway's servers from the configuration. */
async function render(c: Context<WebEnv>, extra: Partial<ConnectionsModel> = {}, status = 200) {
  const loaded = webConfig(c);
  if (!loaded.ok) return loaded.response;
  const session = c.get("webSession");
  const rpc = connectionsOf(c.env, session.user);
  const [servers, secrets] = await Promise.all([
    attempt("listing your servers", () => rpc.listServers()),
    attempt("listing your secrets", () => rpc.listSecrets()),
  ]);
  const model: ConnectionsModel = {
    csrf: session.csrf,
    servers: servers.ok ? servers.value.servers : { error: servers.error },
    secrets: secrets.ok ? secrets.value : { error: secrets.error },
    userServers: loaded.config.user_servers.enabled,
    gateway: loaded.config.servers.map((s) => ({ name: s.name, url: displayUrl(s.url), description: s.description })),
    notice: noticeOf(c),
    ...extra,
  };
  return page(c, "Connections", <ConnectionsView model={model} />, status);
}

const field = (c: Context<WebEnv>, name: string) => (c.get("form").get(name) ?? "").trim();

/** The header pairs of the add form; a row with only one half filled in is an error. */
function headerPairs(form: URLSearchParams): Array<[string, string]> | string {
  const names = form.getAll("header_name");
  const values = form.getAll("header_value");
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < Math.max(names.length, values.length); i++) {
    const name = (names[i] ?? "").trim();
    const value = values[i] ?? "";
    if (name === "" && value === "") continue;
    if (name === "" || value === "") return `Header ${i + 1} needs both a name and a value.`;
    pairs.push([name, value]);
  }
  return pairs;
}

/** The connections page and its form actions (mounted at /connections). */
export const connectionsRoutes = new Hono<WebEnv>()
  .get("/", requireWebUser, (c) => render(c))
  .post("/add", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const url = field(c, "url");
    const headers = headerPairs(c.get("form"));
    const draft = { name, url, headerNames: c.get("form").getAll("header_name") };
    if (typeof headers === "string") return render(c, { error: headers, draft }, 400);
    const rpc = connectionsOf(c.env, c.get("webSession").user);
    // Checked before the answer (bounded by SERVER_CHECK_TIMEOUT_MS), so the page never lists a server that needs
    // a sign-in, or that does not answer, as connected.
    const added = await attempt("adding the server", () =>
      rpc.addServer({ name, url, ...(headers.length ? { headers } : {}) }, { check: true }),
    );
    if (!added.ok) return render(c, { error: `Could not add ${name}: ${added.error}`, draft }, 400);
    if (!added.value.ok) return render(c, { error: `Could not add ${name}: ${added.value.error}`, draft }, 400);
    return done(c, `added${checkedSuffix(added.value.server)}`, name);
  })
  .post("/check", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const checked = await attempt("checking the server", () =>
      connectionsOf(c.env, c.get("webSession").user).checkServer(name),
    );
    if (!checked.ok) return render(c, { error: checked.error }, 500);
    if (!checked.value.ok) return render(c, { error: `Could not check ${name}: ${checked.value.error}` }, 400);
    return done(c, `checked${checkedSuffix(checked.value.server)}`, name);
  })
  .post("/remove", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const removed = await attempt("removing the server", () =>
      connectionsOf(c.env, c.get("webSession").user).removeServer(name, c.get("webSession").user),
    );
    if (!removed.ok) return render(c, { error: removed.error }, 500);
    if (!removed.value.ok) return render(c, { error: `Could not remove ${name}: ${removed.value.error}` }, 400);
    return done(c, removed.value.revoked ? "removed_revoked" : "removed", name);
  })
  .post("/connect", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const origin = new URL(c.req.url).origin;
    const rpc = connectionsOf(c.env, c.get("webSession").user);
    // The page offers Connect only on OAuth servers; one still listed without credentials (an older page) is
    // checked first: if it asks for a sign-in now, it becomes an OAuth server and the sign-in starts.
    const checked = await attempt("checking the server", () => rpc.checkServer(name));
    if (checked.ok && checked.value.ok && checked.value.server.auth.type === "none") {
      const { auth } = checked.value.server;
      const why =
        auth.status === "error"
          ? `it asks for no sign-in, and the gateway cannot use it yet: ${auth.message ?? "its check failed"}`
          : "it needs no sign-in: the gateway reaches it without credentials";
      return render(c, { error: `Could not connect ${name}: ${why}.` }, 400);
    }
    const started = await attempt("starting the sign-in", () => rpc.requireAuthorization(name, origin));
    if (!started.ok) return render(c, { error: started.error }, 500);
    if (!started.value.ok) return render(c, { error: `Could not connect ${name}: ${started.value.error}` }, 400);
    // Only ever our own authorize route: the user signs in at the upstream only after the gateway checked the flow.
    const target = new URL(started.value.authorization_url);
    if (target.origin !== origin || target.pathname !== "/connections/authorize") {
      return render(c, { error: `Could not connect ${name}: the sign-in link is not this gateway's.` }, 500);
    }
    // Not a redirect to it: the CSP's form-action would stop the form's redirect chain at the authorization server.
    const flow = target.searchParams.get("flow") ?? "";
    return c.redirect(`/connections/continue?name=${encodeURIComponent(name)}&flow=${encodeURIComponent(flow)}`, 303);
  })
  .get("/continue", requireWebUser, (c) => {
    const name = c.req.query("name") ?? "";
    const flow = c.req.query("flow") ?? "";
    if (!NOTICE_NAME.test(name) || !FLOW_ID.test(flow))
      return render(c, { error: "That sign-in link is not valid." }, 400);
    return page(c, `Connect ${name}`, <ContinueSignIn name={name} href={`/connections/authorize?flow=${flow}`} />);
  })
  .post("/disconnect", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const forgotten = await attempt("disconnecting the server", () =>
      connectionsOf(c.env, c.get("webSession").user).forgetOAuth(name),
    );
    if (!forgotten.ok) return render(c, { error: forgotten.error }, 500);
    return done(c, forgotten.value.revoked ? "disconnected_revoked" : "disconnected", name);
  })
  .post("/secrets", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const value = c.get("form").get("value") ?? "";
    // An empty field keeps a stored secret's hosts; a new secret without them is refused with what to write.
    const hosts = (c.get("form").get("hosts") ?? "").trim() || undefined;
    const saved = await attempt("saving the secret", () =>
      connectionsOf(c.env, c.get("webSession").user).setSecret(name, value, hosts),
    );
    if (!saved.ok) return render(c, { error: saved.error }, 500);
    if (!saved.value.ok) return render(c, { error: `Could not save the secret: ${saved.value.error}` }, 400);
    return done(c, "secret_saved", name);
  })
  .post("/secrets/delete", requireWebUser, checkCsrf, async (c) => {
    const name = field(c, "name");
    const deleted = await attempt("deleting the secret", () =>
      connectionsOf(c.env, c.get("webSession").user).deleteSecret(name),
    );
    if (!deleted.ok) return render(c, { error: deleted.error }, 500);
    if (!deleted.value.ok) return render(c, { error: `Could not delete the secret: ${deleted.value.error}` }, 400);
    return done(c, "secret_deleted", name);
  });
