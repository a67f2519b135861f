/**
 * @module session/user-server-ops
 * What add_server, authorize_server and remove_server do in a session: store the change in the user object, bring
 * this session's registry up to date at once (the user's other sessions follow within seconds,
 * src/session/user-server-sync.ts), and for add_server connect to the server right away: it is then listed with
 * its tools, or, when its upstream answers 401 with an OAuth challenge, the user gets a URL to sign in.
 */
import type { Registry, ServerEntry } from "../registry/registry";
import type { UserApi } from "../user/user-object";
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
      if (entry.signIn?.kind === "challenge" && entry.auth.type === "none") {
        const { resourceMetadataUrl, scope } = entry.signIn;
        const started = await user().requireAuthorization(input.name, origin(), {
          ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
          ...(scope ? { scope } : {}),
        });
        if (!started.ok) return { ok: true, entry, authorization_error: started.error };
        await sync.sync(registry(), true);
        entry = (await registry().catalog()).byName.get(input.name) ?? entry;
        return { ok: true, entry, authorization_url: started.authorization_url };
      }
      return { ok: true, entry };
    },
    async authorize(name) {
      const refused = gatewayServer(name);
      if (refused) return { ok: false, error: `${refused}: the gateway's own credentials sign it in` };
      // A server added without credentials signs in only once it asks to (a 401 challenge): OAuth discovery against
      // one that never asked fails with the server's own confusing answer to a registration it does not offer.
      // As last listed: asking for a sign-in must not list the server again.
      const entry = registry().known(name);
      let challenge: { resourceMetadataUrl?: string; scope?: string } = {};
      if (entry?.scope === "user" && entry.auth.type === "none") {
        if (entry.signIn?.kind !== "challenge") {
          return {
            ok: false,
            error:
              entry.status === "ok"
                ? `${name} answered without a sign-in, so it needs none (list_servers shows it connected); a server that wants one refuses with 401, and add_server or authorize_server then signs in`
                : `${name} did not ask for a sign-in: it is failing (${entry.error ?? "unknown error"}); list_servers shows its status`,
          };
        }
        const { resourceMetadataUrl, scope } = entry.signIn;
        challenge = { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
      }
      const started = await user().requireAuthorization(name, origin(), challenge);
      if (started.ok) await sync.sync(registry(), true);
      return started;
    },
    async remove(name) {
      const refused = gatewayServer(name);
      if (refused) return { ok: false, error: `${refused}; only the operator can remove it` };
      const removed = await user().removeServer(name);
      if (removed.ok) await sync.sync(registry(), true);
      return removed;
    },
  };
}
