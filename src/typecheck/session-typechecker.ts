/**
 * @module typecheck/session-typechecker
 * The type check as a session object uses it: the policy and budgets from the gateway's configuration, the
 * checker isolate from the Worker's bindings, and one checker slot per session object (Cloudflare allows 10
 * dynamic isolates per Durable Object; `max_concurrent_executions` is capped at 9 to leave the checker its own).
 */
import type { GatewayConfig } from "../config";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { ExecutorDeps } from "../sandbox/executor-types";
import type { ImportUse } from "../sandbox/prepare";
import { Semaphore } from "../shared/semaphore";
import type { ObservedTypes } from "./observed-types";
import { type TypecheckDeps, typecheckProgram } from "./typecheck-program";

/** Checks waiting for the session's checker slot; beyond this a check is skipped (with a warning). */
const MAX_QUEUED_CHECKS = 64;

/** Bindings the checker needs (absent assets: the checker is not deployed, programs run unchecked). */
export interface TypecheckEnv {
  LOADER: WorkerLoader;
  TYPECHECK_ASSETS?: Fetcher;
}

/** The `typecheck` dependency of the executor for one session object, or undefined when checking is off. */
export function sessionTypechecker(
  env: TypecheckEnv,
  config: GatewayConfig,
  slot: Semaphore,
  observed?: ObservedTypes,
): ExecutorDeps["typecheck"] {
  if (config.typecheck === "off" || !env.TYPECHECK_ASSETS) return undefined;
  const { limits } = config;
  const deps: TypecheckDeps = {
    policy: config.typecheck,
    bindings: { loader: env.LOADER, assets: env.TYPECHECK_ASSETS },
    budget: {
      cpuMs: limits.typecheck_cpu_ms,
      warmMs: limits.typecheck_timeout_ms,
      coldMs: limits.typecheck_cold_timeout_ms,
    },
    maxCodeBytes: limits.typecheck_max_code_bytes,
    slot,
  };
  return async (program) => {
    if (observed) await observed.load(program.catalog, importedTools(program.catalog, program.imports));
    const withObserved = observed ? { ...program, observed: (tool: CatalogTool) => observed.override(tool) } : program;
    return typecheckProgram(program.code, withObserved, deps);
  };
}

/** The catalog tools a program imports. */
function importedTools(catalog: Catalog, imports: readonly ImportUse[]): CatalogTool[] {
  const tools: CatalogTool[] = [];
  for (const use of imports) {
    if (use.kind !== "server") continue;
    const entry = catalog.byServerId.get(use.module);
    for (const name of use.names) {
      const tool = entry?.byId.get(name);
      if (tool) tools.push(tool);
    }
  }
  return tools;
}

/** A session object's checker slot: one check in flight. */
export function checkerSlot(): Semaphore {
  return new Semaphore(1, MAX_QUEUED_CHECKS);
}
