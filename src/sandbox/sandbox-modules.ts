/**
 * @module sandbox/sandbox-modules
 * What the sandbox can import, derived from a catalog: the exports of each `servers/<id>` module (for import
 * checks) and each module's generated source. Both depend only on the catalog, which the registry hands out as
 * the same object until something changes, so they are computed once per catalog rather than per execution
 * (a server may list 10,000 tools).
 */
import { bindingModuleSource } from "../codegen/bindings";
import { FIRST_LISTING_PATIENCE_MS, firstLine } from "../registry/listing-patience";
import type { Catalog, Registry } from "../registry/registry";
import { listingFailed, type ServerEntry } from "../registry/server-entry";

/** Shortest wait for the servers' first listings that an execution's result explains. */
const EXPLAINED_WAIT_MS = 1_000;

/**
 * The catalog an execution is prepared against: servers still connecting after {@link FIRST_LISTING_PATIENCE_MS}
 * are left out, unless the code may import one (its module name appears in the code or a carried import, or the
 * code or a carried import names a skill, which may import anything): then it waits for those listings as before.
 * `waited` explains a wait that left servers out, for the result's warnings: a `return 1` that took 3 s says why,
 * or the gateway looks slow.
 */
export async function catalogFor(
  registry: Pick<Registry, "catalog">,
  code: string,
  carriedImports: ReadonlyArray<{ source: string }> = [],
): Promise<{ catalog: Catalog; waited?: string }> {
  const started = Date.now();
  let catalog = await registry.catalog({ patienceMs: FIRST_LISTING_PATIENCE_MS });
  let connecting = catalog.servers.filter((s) => s.connecting);
  if (connecting.length === 0) return { catalog };
  const named = (id: string) =>
    code.includes(`servers/${id}`) || carriedImports.some((i) => i.source === `servers/${id}`);
  const skills = code.includes("skills/") || carriedImports.some((i) => i.source.startsWith("skills/"));
  // Waits for those it may import only: the others stay still connecting.
  const wanted = skills ? connecting : connecting.filter((s) => named(s.serverId));
  if (wanted.length > 0) {
    catalog = await registry.catalog({ patienceMs: FIRST_LISTING_PATIENCE_MS, waitFor: wanted.map((s) => s.name) });
    connecting = catalog.servers.filter((s) => s.connecting);
  }
  const ms = Date.now() - started;
  if (connecting.length === 0 || ms < EXPLAINED_WAIT_MS) return { catalog };
  return { catalog, waited: waitedWarning(ms, connecting) };
}

/**
 * Why an execution ran without servers whose listing had not ended: the ones still connecting are being listed in
 * the background; the ones whose listing failed (and are listed again meanwhile) are said to have failed, with why and
 * what to do, as list_servers says it (its `failed`), since waiting and asking again will not help them.
 */
function waitedWarning(ms: number, late: readonly ServerEntry[]): string {
  const failed = late.filter(listingFailed);
  const connecting = late.filter((s) => !listingFailed(s));
  const parts: string[] = [];
  if (connecting.length) {
    const one = connecting.length === 1;
    parts.push(
      `${connecting.map((s) => s.name).join(", ")} did not answer in time and ${one ? "is" : "are"} still being listed in the background, so this execution ran without ${one ? "it" : "them"} (list_servers shows ${one ? "its" : "their"} status)`,
    );
  }
  if (failed.length) {
    const one = failed.length === 1;
    const why = failed.map((s) => `${s.name}: ${firstLine(s.lastError?.message ?? s.error ?? "unknown error")}`);
    parts.push(
      `${one ? "the listing" : "the listings"} of ${failed.map((s) => s.name).join(", ")} failed (${why.join("; ")}), so this execution ran without ${one ? "it" : "them"}${connecting.length ? " too" : ""}; waiting or asking again will not help until that is fixed: check the server, its URL and its credentials (list_servers shows the failure; list_servers({ refresh: true }) lists ${one ? "it" : "them"} again)`,
    );
  }
  return `waited ${ms} ms for the servers' first listings; ${parts.join("; ")}`;
}

/** What `import { ... } from "gateway"` offers (worker-loader/gateway.js). */
export { GATEWAY_EXPORTS } from "../codegen/gateway-module";

const exportsByCatalog = new WeakMap<Catalog, Record<string, string[]>>();
/** Export ids by tool list: sessions sharing a list (src/registry/catalog-cache.ts) share the array too. */
const idsByTools = new WeakMap<readonly unknown[], string[]>();
/** By tool list (shared by the sessions of an isolate, src/registry/catalog-cache.ts), then by server name. */
const sourceByTools = new WeakMap<readonly unknown[], Map<string, string>>();
const unavailableByCatalog = new WeakMap<Catalog, Map<string, string>>();

/** Tool ids each server module exports, by server id (a prototype-less record: ids come from upstream names). */
export function serverExports(catalog: Catalog): Record<string, string[]> {
  let servers = exportsByCatalog.get(catalog);
  if (!servers) {
    servers = Object.create(null) as Record<string, string[]>;
    for (const s of catalog.servers) {
      let ids = idsByTools.get(s.tools);
      if (!ids) {
        ids = s.tools.map((t) => t.id);
        idsByTools.set(s.tools, ids);
      }
      servers[s.serverId] = ids;
    }
    exportsByCatalog.set(catalog, servers);
  }
  return servers;
}

/**
 * Why each server whose latest listing failed is unavailable, by server id: the error `list_servers` shows (a
 * missing secret, a refused URL, a connection error). An import from such a server names it instead of a bare
 * "no export".
 */
export function unavailableServers(catalog: Catalog): Map<string, string> {
  let reasons = unavailableByCatalog.get(catalog);
  if (!reasons) {
    reasons = new Map();
    for (const s of catalog.servers) {
      if (s.status === "error") reasons.set(s.serverId, s.error ?? s.lastError?.message ?? "its listing failed");
    }
    unavailableByCatalog.set(catalog, reasons);
  }
  return reasons;
}

const taskOnlyByCatalog = new WeakMap<Catalog, Map<string, Set<string>>>();

/**
 * The tools of each server that only run as MCP tasks (src/registry/task-support.ts), by server id; servers without
 * one have no entry. A program importing one is refused when it is prepared.
 */
export function taskOnlyTools(catalog: Catalog): Map<string, Set<string>> {
  let tools = taskOnlyByCatalog.get(catalog);
  if (!tools) {
    tools = new Map();
    for (const s of catalog.servers) {
      for (const t of s.tools) {
        if (!t.needsTasks) continue;
        let ids = tools.get(s.serverId);
        if (!ids) {
          ids = new Set();
          tools.set(s.serverId, ids);
        }
        ids.add(t.id);
      }
    }
    taskOnlyByCatalog.set(catalog, tools);
  }
  return tools;
}

/** The source of the `servers/<id>.js` module for one server. */
export function serverModuleSource(entry: ServerEntry): string {
  let byName = sourceByTools.get(entry.tools);
  if (!byName) {
    byName = new Map();
    sourceByTools.set(entry.tools, byName);
  }
  let source = byName.get(entry.name);
  if (source === undefined) {
    source = bindingModuleSource(entry.name, entry.tools);
    byName.set(entry.name, source);
  }
  return source;
}
