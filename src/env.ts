/**
 * @module env
 * The Worker's bindings (see wrangler.toml). Secrets referenced by upstream headers (`${NAME}`) are read from the
 * same env by name, so the index signature is deliberate.
 */

import type { WorkspaceStore } from "./servers/workspace/store";
import type { SessionObject } from "./session/session-object";

export interface Env {
  LOADER: WorkerLoader;
  SESSION: DurableObjectNamespace<SessionObject>;
  WORKSPACE: DurableObjectNamespace<WorkspaceStore>;
  /** Gateway configuration (a JSON var in wrangler.toml); absent means the zero-configuration default. */
  GATEWAY_CONFIG?: unknown;
  [secret: string]: unknown;
}

declare global {
  namespace Cloudflare {
    /** Types `ctx.exports` from the main module's exports (ToolBridge, BuiltinServers, ...). */
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces: "SessionObject" | "WorkspaceStore";
    }
  }
}
