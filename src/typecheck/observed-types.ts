/**
 * @module typecheck/observed-types
 * Observed output types as a session uses them: each result of a tool without `outputSchema` is reduced to its
 * shape and merged into the tool's entry in its upstream's {@link CatalogObject} (shared by every session of a
 * gateway server, by the owner's sessions only for a user's own server; keyed by the tool's definition hash, so a
 * changed definition starts over). Declarations read them back as the tool's
 * result type, marked `@observed` with the number of calls they come from.
 */
import type { OutputOverride } from "../codegen/declarations";
import type { CatalogObject } from "../registry/catalog-object";
import { catalogObjectName } from "../registry/catalog-store";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { ServerEntry } from "../registry/server-entry";
import { mergeShapes, renderShape, type Shape, shapeOf } from "./observed-shape";

/** One tool's observed shape as stored. */
export interface ObservedEntry {
  hash: string;
  calls: number;
  shape: Shape;
}

/**
 * The upstream a shape belongs to. `owner` is set for a user's own server (src/registry/server-entry.ts ServerEntry):
 * its results come with that user's credentials, and their property names are that user's data.
 */
export type ObservedServer = Pick<ServerEntry, "name" | "url" | "owner" | "addedAt">;

/** Where shapes are kept: one CatalogObject per upstream (server name and display URL; a user server's per user). */
export interface ObservedStore {
  read(server: ObservedServer, tools: string[]): Promise<Array<[string, ObservedEntry]>>;
  observe(server: ObservedServer, tool: string, hash: string, shape: Shape, calls: number): Promise<void>;
}

/** Writes in flight per session; beyond this new observations are dropped (they are samples). */
const MAX_PENDING_WRITES = 16;
/**
 * Results sampled per tool and session object: enough to learn a shape, and a 1,000-call execution does not pay
 * for shape inference on every result.
 */
const MAX_SAMPLES_PER_TOOL = 32;
/** How long read shapes are reused before the store is asked again. */
const REFRESH_MS = 10_000;
/** Tools looked up per read. */
const MAX_TOOLS_PER_READ = 200;

/** The store backed by the `CATALOG` Durable Object namespace. */
export function durableObservedStore(namespace: DurableObjectNamespace<CatalogObject>): ObservedStore {
  const stub = (server: ObservedServer) =>
    namespace.get(
      namespace.idFromName(
        catalogObjectName({
          server: server.name,
          url: server.url,
          ...(server.owner === undefined ? {} : { user: server.owner }),
        }),
      ),
    );
  return {
    read: async (server, tools) =>
      (await stub(server).observedShapes(tools)) as unknown as Array<[string, ObservedEntry]>,
    observe: async (server, tool, hash, shape, calls) =>
      stub(server).observeShape(tool, hash, shape, calls, server.addedAt),
  };
}

/** Where `server`'s shapes are stored; none for a user server without its owner (nothing is shared then). */
function storedAt(server: ServerEntry): ObservedServer | undefined {
  if (server.scope !== "user") return { name: server.name, url: server.url };
  if (server.owner === undefined) return undefined;
  const { name, url, owner, addedAt } = server;
  return { name, url, owner, ...(addedAt === undefined ? {} : { addedAt }) };
}

/** Observed result types of the tools a session uses. */
export class ObservedTypes {
  readonly #store: ObservedStore;
  /** `server\0tool` -> the entry last read or merged here, and when it was read. */
  readonly #entries = new Map<string, { entry: ObservedEntry; readAt: number }>();
  /** Samples taken per tool, and what waits for the tool's write in flight (one write per tool at a time). */
  readonly #sampled = new Map<string, number>();
  readonly #queued = new Map<string, { shape: Shape; calls: number } | null>();
  #pending = 0;

  constructor(store: ObservedStore) {
    this.#store = store;
  }

  /** Records one successful result of `tool` (ignored when the tool declares an output schema). */
  record(catalog: Catalog, tool: CatalogTool, value: unknown): void {
    if (tool.outputSchema !== undefined) return;
    const server = catalog.byName.get(tool.server);
    if (!server) return;
    const key = `${tool.server}\0${tool.name}`;
    const sampled = this.#sampled.get(key) ?? 0;
    if (sampled >= MAX_SAMPLES_PER_TOOL) return;
    this.#sampled.set(key, sampled + 1);
    const shape = shapeOf(value);
    const known = this.#entries.get(key);
    const entry =
      known && known.entry.hash === tool.hash
        ? { hash: tool.hash, calls: known.entry.calls + 1, shape: mergeShapes(known.entry.shape, shape) }
        : { hash: tool.hash, calls: 1, shape };
    this.#entries.set(key, { entry, readAt: known?.readAt ?? 0 });
    const waiting = this.#queued.get(key);
    if (waiting !== undefined) {
      // A write for this tool is in flight: merge into the next one.
      this.#queued.set(
        key,
        waiting ? { shape: mergeShapes(waiting.shape, shape), calls: waiting.calls + 1 } : { shape, calls: 1 },
      );
      return;
    }
    const place = storedAt(server);
    if (place) this.#write(key, place, tool, { shape, calls: 1 });
  }

  #write(key: string, server: ObservedServer, tool: CatalogTool, batch: { shape: Shape; calls: number }) {
    if (this.#pending >= MAX_PENDING_WRITES) return;
    this.#pending++;
    this.#queued.set(key, null);
    this.#store
      .observe(server, tool.name, tool.hash, batch.shape, batch.calls)
      .catch(() => {})
      .finally(() => {
        this.#pending--;
        const next = this.#queued.get(key);
        this.#queued.delete(key);
        if (next) this.#write(key, server, tool, next);
      });
  }

  /**
   * Reads the stored shapes of `tools` (those without outputSchema) unless read recently: at most `maxPerServer` of
   * each server's, {@link MAX_TOOLS_PER_READ} per read (a whole server's declarations read them all, a read at a time).
   */
  async load(catalog: Catalog, tools: readonly CatalogTool[], maxPerServer = MAX_TOOLS_PER_READ): Promise<void> {
    const now = Date.now();
    const byServer = new Map<string, string[]>();
    for (const tool of tools) {
      if (tool.outputSchema !== undefined) continue;
      const known = this.#entries.get(`${tool.server}\0${tool.name}`);
      if (known && now - known.readAt < REFRESH_MS) continue;
      const names = byServer.get(tool.server) ?? [];
      if (names.length < maxPerServer) names.push(tool.name);
      byServer.set(tool.server, names);
    }
    await Promise.all(
      [...byServer].map(async ([name, names]) => {
        const server = catalog.byName.get(name);
        const place = server && storedAt(server);
        if (!place) return;
        for (let at = 0; at < names.length; at += MAX_TOOLS_PER_READ) {
          const rows = await this.#store.read(place, names.slice(at, at + MAX_TOOLS_PER_READ)).catch(() => []);
          for (const [tool, entry] of rows) this.#entries.set(`${name}\0${tool}`, { entry, readAt: now });
        }
      }),
    );
  }

  /** The observed result type of `tool` for its current definition, or undefined when nothing was observed. */
  override(tool: CatalogTool): (OutputOverride & { calls: number }) | undefined {
    if (tool.outputSchema !== undefined) return undefined;
    const known = this.#entries.get(`${tool.server}\0${tool.name}`)?.entry;
    if (!known || known.hash !== tool.hash) return undefined;
    const calls = known.calls === 1 ? "1 call" : `${known.calls} calls`;
    return {
      calls: known.calls,
      type: renderShape(known.shape),
      doc: [
        `Observed from ${calls}: the tool declares no outputSchema, so this is the shape of results it returned,`,
        "a sample rather than a contract.",
        "@observed",
      ],
    };
  }
}
