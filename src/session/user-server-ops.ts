/**
 * @module session/user-server-ops
 * What add_server, authorize_server and remove_server do in a session: store the change in the user object, bring
 * this session's registry up to date at once (the user's other sessions follow within seconds,
 * src/session/user-server-sync.ts), and for add_server connect to the server right away: it is then listed with
 * its tools, or, when its upstream answers 401 with an OAuth challenge, the user gets a URL to sign in. That
 * listing is also the check of a server added without credentials (the connections page checks its own adds,
 * src/user/server-desk.ts): when it fails, the user object records why, so the page never shows it connected.
 */
import type { Registry } from "../registry/registry";
import type { ServerEntry } from "../registry/server-entry";
import type { UserApi } from "../user/user-api";
import { OAUTH_START_FAILED } from "../user/user-servers";
import type { UserServerSync } from "./user-server-sync";

/** The outcome of add_server. */
export type AddServerOutcome =
  | { ok: true; entry: ServerEntry; authorization_url?: string; authorization_error?: string }
  | { ok: false; error: string };

/** The user-server operations a gateway MCP server calls (GatewayContext.userServers). */
export interface UserServerOps {
  add(input: { name: string; url: string; headers?: Array<[string, string]> }): Promise<AddServerOutcome>;
  authorize(name: string): Promise<{ ok: true; authorization_url: string } | { ok: false; error: string }>;
  remove(name: string): Promise<{ ok: true; revoked?: boolean } | { ok: false; error: string }>;
}

/** The operations for one session: its user object, registry, sync and the gateway's origin (for sign-in URLs). */
export function userServerOps(deps: {
  user: () => UserApi;
  registry: () => Registry;
  sync: UserServerSync;
  origin: () => string;
  gatewayNames: readonly string[];
  /** The session's user (the user object cannot read its own name). */
  userName: string;
}): UserServerOps {
  const { user, registry, sync, origin } = deps;
  const gatewayServer = (name: string) =>
    deps.gatewayNames.includes(name) ? `${name} is a server of the gateway, not one of yours` : undefined;
  return {
    async add(input) {
      const added = await user().addServer(input);
      if (!added.ok) return added;
      await sync.sync(registry(), true);
      const catalog = await registry().catalog({ refresh: [input.name] });
      let entry = catalog.byName.get(input.name);
      if (!entry) return { ok: false, error: `${input.name} was stored but is not visible to this session` };
      // This listing is the check of a server without credentials: what failed, the connections page shows, and
      // this session reads back that a check failed (its own listing that works later clears it).
      const failed = async (error: string) => {
        await user()
          .recordServerListing(input.name, input.url, error)
          .catch(() => {});
        await sync.sync(registry(), true);
      };
      if (entry.signIn?.kind === "challenge" && entry.auth.type === "none") {
        const { resourceMetadataUrl, scope } = entry.signIn;
        const started = await user().requireAuthorization(input.name, origin(), {
          ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
          ...(scope ? { scope } : {}),
        });
        if (!started.ok) {
          await failed(`${OAUTH_START_FAILED}: ${started.error}`);
          return { ok: true, entry, authorization_error: started.error };
        }
        await sync.sync(registry(), true);
        entry = (await registry().catalog()).byName.get(input.name) ?? entry;
        return { ok: true, entry, authorization_url: started.authorization_url };
      }
      if (entry.status === "error" && entry.auth.type === "none") await failed(entry.error ?? "it could not be listed");
      return { ok: true, entry };
    },
    async authorize(name) {
      const refused = gatewayServer(name);
      if (refused) return { ok: false, error: `${refused}: the gateway's own credentials sign it in` };
      // A server added without credentials that challenged its listing (401 with a Bearer challenge) signs in with
      // the challenge's metadata URL and scope. One that did not may still want a sign-in (it may ask only on tool
      // calls, or answer 401 without a challenge, leaving the client to its well-known metadata), so discovery runs
      // anyway; if it finds no sign-in, the refusal says what the server did rather than only the discovery's error.
      // As last listed: asking for a sign-in must not list the server again.
      const entry = registry().known(name);
      let challenge: { resourceMetadataUrl?: string; scope?: string } = {};
      const unchallenged = entry?.scope === "user" && entry.auth.type === "none" && entry.signIn?.kind !== "challenge";
      if (entry?.signIn?.kind === "challenge" && entry.auth.type === "none") {
        const { resourceMetadataUrl, scope } = entry.signIn;
        challenge = { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
      }
      const started = await user().requireAuthorization(name, origin(), challenge);
      if (started.ok) await sync.sync(registry(), true);
      if (started.ok || !unchallenged) return started;
      return {
        ok: false,
        error: `${
          entry.status === "ok"
            ? `${name} answered without a sign-in (list_servers shows it connected), and found no OAuth sign-in to offer`
            : `${name} did not ask for a sign-in: it is failing (${entry.error ?? "unknown error"}), and found no OAuth sign-in to offer`
        } (${started.error}); a server that wants one refuses with 401, and add_server or authorize_server then signs in`,
      };
    },
    async remove(name) {
      const refused = gatewayServer(name);
      if (refused) return { ok: false, error: `${refused}; only the operator can remove it` };
      const removed = await user().removeServer(name, deps.userName);
      if (removed.ok) await sync.sync(registry(), true);
      return removed;
    },
  };
}
