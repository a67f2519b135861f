/**
 * @module sandbox/sandbox-modules
 * What the sandbox can import, derived from a catalog: the exports of each `servers/<id>` module (for import
 * checks) and each module's generated source. Both depend only on the catalog, which the registry hands out as
 * the same object until something changes, so they are computed once per catalog rather than per execution
 * (a server may list 10,000 tools).
 */
import { bindingModuleSource } from "../codegen/bindings";
import type { Catalog, ServerEntry } from "../registry/registry";

/** What `import { ... } from "gateway"` offers (worker-loader/gateway.js). */
export const GATEWAY_EXPORTS = ["state", "progress"] as const;

const exportsByCatalog = new WeakMap<Catalog, Record<string, string[]>>();
const sourceByServer = new WeakMap<ServerEntry, string>();

/** Tool ids each server module exports, by server id (a prototype-less record: ids come from upstream names). */
export function serverExports(catalog: Catalog): Record<string, string[]> {
  let servers = exportsByCatalog.get(catalog);
  if (!servers) {
    servers = Object.create(null) as Record<string, string[]>;
    for (const s of catalog.servers) servers[s.serverId] = s.tools.map((t) => t.id);
    exportsByCatalog.set(catalog, servers);
  }
  return servers;
}

/** The source of the `servers/<id>.js` module for one server. */
export function serverModuleSource(entry: ServerEntry): string {
  let source = sourceByServer.get(entry);
  if (source === undefined) {
    source = bindingModuleSource(entry.name, entry.tools);
    sourceByServer.set(entry, source);
  }
  return source;
}
