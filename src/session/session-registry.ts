/**
 * @module session/session-registry
 * The registry of one session or context object (src/registry/registry.ts) and what is bound to it: the gateway's
 * servers connected through connectUpstream, the user's own through their user object (credentials resolved there,
 * sign-in links pointing at the gateway's origin), catalogs shared by every session through the catalog store, the
 * user's server list kept in sync, and the skill service that reads the registry's catalog. Each is made on first
 * use.
 */
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import { durableCatalogStore } from "../registry/catalog-store";
import { connectUpstream } from "../registry/connect";
import { Registry } from "../registry/registry";
import { type ConnectionSource, connectUserUpstream } from "../registry/user-upstream";
import type { Semaphore } from "../shared/semaphore";
import { SkillService } from "../skills/skill-service";
import type { ObservedTypes } from "../typecheck/observed-types";
import { sessionTypechecker } from "../typecheck/session-typechecker";
import type { UserApi } from "../user/user-api";
import type { SessionMeta } from "./session-meta";
import { UserServerSync } from "./user-server-sync";

/** What the registry is made from: the object's env and state, and what it reads when it needs it. */
export interface SessionRegistryDeps {
  env: Env;
  /** The object's state: its `exports` serve the built-in servers. */
  ctx: DurableObjectState;
  config: () => GatewayConfig;
  /** The user's object (src/user/user-object.ts). */
  user: (meta: SessionMeta) => UserApi;
  /** The gateway's origin as clients reach it (sign-in URLs of the user's servers point there). */
  origin: () => string;
  /** The isolate's type checker slot (src/typecheck/session-typechecker.ts checkerSlot). */
  checkerSlot: Semaphore;
  observed: ObservedTypes;
}

/** The registry, skills and user server sync of one object (see the module comment). */
export class SessionRegistry {
  readonly #deps: SessionRegistryDeps;
  #registry: Registry | undefined;
  #skills: SkillService | undefined;
  #userSync: UserServerSync | undefined;

  constructor(deps: SessionRegistryDeps) {
    this.#deps = deps;
  }

  /** Keeps the user's servers in the registry up to date (made with the registry). */
  get userSync(): UserServerSync | undefined {
    return this.#userSync;
  }

  registry(meta: SessionMeta): Registry {
    const { env, ctx } = this.#deps;
    const config = this.#deps.config();
    this.#userSync ??= new UserServerSync(() => this.#deps.user(meta), config);
    const source: ConnectionSource = (name, opts) =>
      this.#deps.user(meta).connectionFor(name, this.#deps.origin(), opts);
    const currentUrl = (name: string) => this.#deps.user(meta).userServerUrl(name);
    this.#registry ??= new Registry(
      config.servers,
      (server, scope) =>
        scope === "user"
          ? connectUserUpstream(server, { env, user: meta.user, gateway: config, source, currentUrl })
          : connectUpstream(server, { env, exports: ctx.exports, user: meta.user, gateway: config }),
      // Catalogs and first-seen tool hashes are shared by all sessions through one CatalogObject per upstream.
      {
        store: durableCatalogStore(env.CATALOG),
        ttlMs: config.catalog_ttl_ms,
        user: meta.user,
        sync: () => this.#userSync!.sync(this.#registry!),
        listed: (name, url) => this.#userSync!.listed(name, url),
      },
    );
    return this.#registry;
  }

  skills(meta: SessionMeta): SkillService {
    const { env, checkerSlot, observed } = this.#deps;
    const typecheck = sessionTypechecker(env, this.#deps.config(), checkerSlot, observed);
    this.#skills ??= new SkillService(
      env.SKILLS.getByName(meta.user),
      this.registry(meta),
      typecheck &&
        ((code, catalog, imports) =>
          typecheck({ code, catalog, imports, skills: new Map(), latestSkill: () => undefined })),
    );
    return this.#skills;
  }

  /**
   * Closes the registry (its session ended) and lets go of the skills bound to it: the next use makes new ones (an
   * approval resumed in a terminated session would otherwise run skills against the closed registry).
   */
  async closeRegistry(): Promise<void> {
    await this.#registry?.close();
    this.#registry = undefined;
    this.#skills = undefined;
  }

  /** Lets go of the registry and the skills bound to it: the storage they serve is being deleted. */
  async release(): Promise<void> {
    await this.closeRegistry();
  }
}
