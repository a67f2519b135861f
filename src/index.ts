/**
 * @module index
 * Worker entry: the HTTP app, the session, user and workspace Durable Objects, and the RPC entrypoint that the
 * registry (BuiltinServers) reaches through `ctx.exports`.
 */
import { app } from "./app";
import { gatewayFetch } from "./auth/oauth";
import type { Env } from "./env";

export { RateLimiter } from "./auth/rate-limiter";
export { CatalogObject } from "./registry/catalog-object";
export { BuiltinServers } from "./servers/builtin-servers";
export { WorkspaceStore } from "./servers/workspace/store";
export { SessionObject } from "./session/session-object";
export { SkillStore } from "./skills/skill-store";
export { UserObject } from "./user/user-object";

/** The app, behind the OAuth provider when auth.mode is "oauth" (src/auth/oauth.ts). */
export default { fetch: gatewayFetch(app) } satisfies ExportedHandler<Env>;
