/**
 * @module session/user-server-sync
 * Keeps a session's registry in line with the user's own servers (src/user/user-servers.ts). Before a catalog
 * read it asks the user object for the version of the user's server list, at most every {@link SYNC_INTERVAL_MS}
 * (one small RPC; on every read while one of the user's servers waits for a sign-in), and re-reads the list only
 * when the version moved: a server another session of the same user
 * adds shows up here within a couple of seconds, or at once after this session's own add_server.
 *
 * It also carries back what this session's listings show: a server without credentials whose last check failed
 * (the connections page shows it in error) and that this session has since listed from its upstream is recorded
 * as answering. Only servers the list marks so cost that round trip, once per session and failure.
 */
import { type GatewayConfig, ServerConfigSchema } from "../config";
import type { Registry } from "../registry/registry";
import type { UserApi } from "../user/user-api";

/** Longest a session goes between checks of the user's server list version. */
export const SYNC_INTERVAL_MS = 2_000;

export class UserServerSync {
  readonly #user: () => UserApi;
  readonly #enabled: boolean;
  #version = -1;
  #checkedAt = 0;
  #running: Promise<void> | undefined;
  /** The registry the version applies to: a new registry starts without the user's servers. */
  #synced: Registry | undefined;
  /** The user's servers whose last check failed, as last read (name to URL). */
  readonly #failedChecks = new Map<string, string>();

  constructor(user: () => UserApi, config: GatewayConfig) {
    this.#user = user;
    this.#enabled = config.user_servers.enabled;
  }

  /** Brings `registry` up to date; `force` skips the interval and re-reads the list (after this session's change). */
  async sync(registry: Registry, force = false): Promise<void> {
    if (!this.#enabled) return;
    if (registry !== this.#synced) force = true;
    if (this.#running) {
      await this.#running;
      if (!force) return;
    }
    // A server waiting for a sign-in is checked on every read: the sign-in completes in a browser, elsewhere.
    const due = Date.now() - this.#checkedAt >= SYNC_INTERVAL_MS || registry.waitingForSignIn();
    if (!force && !due) return;
    this.#running = this.#run(registry, force).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(registry: Registry, force: boolean): Promise<void> {
    const user = this.#user();
    try {
      if (!force && (await user.serversVersion()) === this.#version) {
        this.#checkedAt = Date.now();
        return;
      }
      const { version, servers } = await user.sessionServers();
      registry.setUserServers(
        servers.map((s) => ({
          config: ServerConfigSchema.parse({ name: s.name, url: s.url }),
          auth: s.auth,
          addedAt: s.added_at,
        })),
      );
      this.#failedChecks.clear();
      for (const s of servers) if (s.check_failed) this.#failedChecks.set(s.name, s.url);
      this.#version = version;
      this.#synced = registry;
      this.#checkedAt = Date.now();
    } catch (err) {
      // The user object unreachable for a moment: keep what is known and try again at the next read.
      console.warn(`user server sync failed: ${(err as Error).message}`);
    }
  }

  /**
   * The user's server `name` answered a listing from its upstream at `url`: if its last check, of that same URL,
   * failed, the user object records that it answers now (the registry's `listed`). A stale listing of a URL the
   * server no longer has clears nothing. Never throws.
   */
  async listed(name: string, url: string): Promise<void> {
    if (this.#failedChecks.get(name) !== url) return;
    this.#failedChecks.delete(name);
    try {
      await this.#user().recordServerListing(name, url);
    } catch (err) {
      this.#failedChecks.set(name, url);
      console.warn(`recording the listing of ${name} failed: ${(err as Error).message}`);
    }
  }
}
