/**
 * @module session/user-server-sync
 * Keeps a session's registry in line with the user's own servers (src/user/user-servers.ts). Before a catalog
 * read it asks the user object for the version of the user's server list, at most every {@link SYNC_INTERVAL_MS}
 * (one small RPC), and re-reads the list only when the version moved: a server another session of the same user
 * adds shows up here within a couple of seconds, or at once after this session's own add_server.
 */
import { type GatewayConfig, ServerConfigSchema } from "../config";
import type { Registry } from "../registry/registry";
import type { UserApi } from "../user/user-object";

/** Longest a session goes between checks of the user's server list version. */
export const SYNC_INTERVAL_MS = 2_000;

export class UserServerSync {
  readonly #user: () => UserApi;
  readonly #enabled: boolean;
  #version = -1;
  #checkedAt = 0;
  #running: Promise<void> | undefined;

  constructor(user: () => UserApi, config: GatewayConfig) {
    this.#user = user;
    this.#enabled = config.user_servers.enabled;
  }

  /** Brings `registry` up to date; `force` skips the interval and re-reads the list (after this session's change). */
  async sync(registry: Registry, force = false): Promise<void> {
    if (!this.#enabled) return;
    if (this.#running) {
      await this.#running;
      if (!force) return;
    }
    if (!force && Date.now() - this.#checkedAt < SYNC_INTERVAL_MS) return;
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
        servers.map((s) => ({ config: ServerConfigSchema.parse({ name: s.name, url: s.url }), auth: s.auth })),
      );
      this.#version = version;
      this.#checkedAt = Date.now();
    } catch (err) {
      // The user object unreachable for a moment: keep what is known and try again at the next read.
      console.warn(`user server sync failed: ${(err as Error).message}`);
    }
  }
}
