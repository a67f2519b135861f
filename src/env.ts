/**
 * @module env
 * The Worker's bindings (see wrangler.toml). Secrets referenced by upstream headers (`${NAME}`) are read from the
 * same env by name, so the index signature is deliberate.
 */

import type { RateLimiter } from "./auth/rate-limiter";
import type { CatalogObject } from "./registry/catalog-object";
import type { WorkspaceStore } from "./servers/workspace/store";
import type { SessionObject } from "./session/session-object";
import type { SkillStore } from "./skills/skill-store";
import type { UserObject } from "./user/user-object";

export interface Env {
  LOADER: WorkerLoader;
  SESSION: DurableObjectNamespace<SessionObject>;
  WORKSPACE: DurableObjectNamespace<WorkspaceStore>;
  /** One per upstream: its cached catalog (shared by sessions) and first-seen tool hashes. */
  CATALOG: DurableObjectNamespace<CatalogObject>;
  /** One per user: the skills that user saved (every version). */
  SKILLS: DurableObjectNamespace<SkillStore>;
  /** One per user: the user's execution history, approval handles and execution slots (src/user/user-object.ts). */
  USER: DurableObjectNamespace<UserObject>;
  /** One per key: the sign-in attempts of an address (src/auth/rate-limiter.ts); execute_code's bucket is in USER. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** The type checker's compiler and library files (wrangler [assets], built by scripts/build-typecheck-assets.mjs). */
  TYPECHECK_ASSETS?: Fetcher;
  /** OAuth grants, clients and token hashes; bound only when auth.mode is "oauth" (src/auth/oauth.ts). */
  OAUTH_KV?: KVNamespace;
  /** Gateway configuration (a JSON var in wrangler.toml); absent means the zero-configuration default. */
  GATEWAY_CONFIG?: unknown;
  [secret: string]: unknown;
}

declare global {
  namespace Cloudflare {
    /** Types `ctx.exports` from the main module's exports (BuiltinServers, ...). */
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces:
        | "SessionObject"
        | "WorkspaceStore"
        | "CatalogObject"
        | "SkillStore"
        | "RateLimiter"
        | "UserObject";
    }
  }
}
