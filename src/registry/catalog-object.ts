/**
 * @module registry/catalog-object
 * `CatalogObject`: one SQLite Durable Object per upstream (named by server name and display URL, see
 * {@link catalogObjectName}). It keeps the last listing per credential scope, so sessions share it instead of each
 * listing the upstream, and the first-seen hash of every tool the upstream ever listed, so a definition that
 * changes later is reported however many sessions or restarts come between.
 *
 * Beside the listing it keeps the last handshake made with each credential scope, and each user's upstream
 * session (src/registry/shared-handshake.ts), returned with the listing so a new session neither lists nor
 * handshakes again.
 *
 * A listing is stored one row per tool: a Durable Object SQLite value is capped at 2 MB, and a 10,000-tool
 * catalog as one JSON value would exceed it.
 *
 * A user's own server's object is deleted when the server is removed ({@link CatalogObject.forget}), and keeps
 * only when the removed server had been added: writes that name that add or an earlier one (a listing, a handshake
 * or a tool result still in flight at removal, or from a session that has not yet seen the removal) are dropped, so
 * nothing of the removed server is stored again. The server added again has a later add time and is stored anew.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { LazyTables } from "../shared/lazy-tables";
import { mergeShapes, type Shape } from "../typecheck/observed-shape";
import type { HashedTool } from "./catalog-build";
import { type CachedCatalog, joinHandshake, listingDigest, type StoredCatalog } from "./catalog-store";
import type { UpstreamTool } from "./registry-types";
import { MAX_SHARED_HANDSHAKE_CHARS } from "./shared-handshake";

/** Largest stored observed shape (JSON); a larger merge widens to `any`. */
const MAX_SHAPE_JSON = 64 * 1024;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS listing (
     scope TEXT PRIMARY KEY, version INTEGER NOT NULL, fetched_at INTEGER NOT NULL, digest TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS listed_tool (
     scope TEXT NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL, def TEXT NOT NULL,
     PRIMARY KEY (scope, pos))`,
  `CREATE TABLE IF NOT EXISTS first_seen (name TEXT PRIMARY KEY, hash TEXT NOT NULL, seen_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS handshake (
     scope TEXT NOT NULL, owner TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (scope, owner))`,
  `CREATE TABLE IF NOT EXISTS observed (
     name TEXT PRIMARY KEY, hash TEXT NOT NULL, calls INTEGER NOT NULL, shape TEXT NOT NULL)`,
];

/** Where forget() keeps the add time of the server it forgot (KV: reading it makes no SQLite table). */
const FORGOTTEN_KEY = "forgotten_added_at";

/** Why a listing was not stored: its server was removed (the registry serves it without the store). */
const FORGOTTEN_WRITE = "the server was removed while it was being listed; its listing is not stored";

export class CatalogObject extends DurableObject<Env> {
  readonly #tables = new LazyTables(this.ctx.storage.sql, SCHEMA);

  /** The object's SQLite, its tables made on first use: again after {@link forget} deleted them. */
  get #sql(): SqlStorage {
    return this.#tables.sql;
  }

  /**
   * The stored listing of `scope`; only its version and age when the caller already holds `knownVersion`. With
   * the last handshake of `scope`, and `owner`'s upstream session if one is kept.
   */
  async read(scope: string, knownVersion?: number, owner?: string): Promise<CachedCatalog | undefined> {
    const head = this.#sql
      .exec<{ version: number; fetched_at: number }>("SELECT version, fetched_at FROM listing WHERE scope = ?", scope)
      .toArray()[0];
    if (!head) return undefined;
    const handshake = this.#handshake(scope, owner);
    const extra = handshake ? { handshake } : {};
    if (head.version === knownVersion) return { version: head.version, fetchedAt: head.fetched_at, ...extra };
    const tools: HashedTool[] = [];
    for (const row of this.#sql.exec<{ hash: string; def: string }>(
      "SELECT hash, def FROM listed_tool WHERE scope = ? ORDER BY pos",
      scope,
    )) {
      tools.push({ tool: JSON.parse(row.def) as UpstreamTool, hash: row.hash });
    }
    return { version: head.version, fetchedAt: head.fetched_at, tools, firstSeen: this.#firstSeen(), ...extra };
  }

  /**
   * Keeps the handshake verdict of `scope` (JSON from src/registry/catalog-store.ts) and, when the upstream issued
   * one, `owner`'s upstream session.
   */
  async writeHandshake(
    scope: string,
    verdict: string,
    owner: string,
    session?: string,
    addedAt?: number,
  ): Promise<void> {
    if (typeof verdict !== "string" || verdict.length > MAX_SHARED_HANDSHAKE_CHARS) return;
    if (this.#forgotten(addedAt)) return;
    const now = Date.now();
    const upsert = `INSERT INTO handshake (scope, owner, at, data) VALUES (?, ?, ?, ?)
      ON CONFLICT(scope, owner) DO UPDATE SET at = excluded.at, data = excluded.data`;
    this.#sql.exec(upsert, scope, "", now, verdict);
    if (owner && typeof session === "string" && session.length <= 512)
      this.#sql.exec(upsert, scope, owner, now, session);
  }

  #handshake(scope: string, owner: string | undefined) {
    const rows = this.#sql
      .exec<{ owner: string; data: string }>(
        "SELECT owner, data FROM handshake WHERE scope = ? AND owner IN ('', ?)",
        scope,
        owner ?? "",
      )
      .toArray();
    const verdict = rows.find((r) => r.owner === "")?.data;
    const session = owner ? rows.find((r) => r.owner === owner)?.data : undefined;
    return joinHandshake(verdict, session);
  }

  /**
   * Deletes everything stored here: the user removed the server, added at `addedAt` (the user object's time), whose
   * listings these are (user/server-desk.ts). Only that time is kept: later writes for that add are dropped.
   */
  async forget(addedAt: number): Promise<void> {
    // Without an add time, the removal's: no write for this add can name a later one.
    const removed = typeof addedAt === "number" && Number.isFinite(addedAt) ? addedAt : Date.now();
    const forgotten = Math.max(removed, this.#forgottenAddedAt() ?? 0);
    // No write lands between the two: the input gate holds other calls while deleteAll runs.
    await this.ctx.storage.deleteAll();
    // deleteAll drops the tables: the next call (a server added again under the same name and URL) makes them anew.
    this.#tables.dropped();
    this.ctx.storage.kv.put(FORGOTTEN_KEY, forgotten);
  }

  #forgottenAddedAt(): number | undefined {
    return this.ctx.storage.kv.get<number>(FORGOTTEN_KEY);
  }

  /**
   * Whether a write for the server added at `addedAt` comes too late: that add was forgotten. A write that names no
   * add (a gateway server's) is too late only in an object that forgot one, which only a user's server's does.
   */
  #forgotten(addedAt: number | undefined): boolean {
    const forgotten = this.#forgottenAddedAt();
    return forgotten !== undefined && !(typeof addedAt === "number" && addedAt > forgotten);
  }

  /**
   * Stores a fresh listing of `scope` and records first-seen hashes; returns the listing as stored. A listing of a
   * removed server (`addedAt`, a user's server: when it was added) is refused with {@link FORGOTTEN_WRITE}.
   */
  async write(scope: string, tools: HashedTool[], addedAt?: number): Promise<StoredCatalog> {
    if (this.#forgotten(addedAt)) throw new Error(FORGOTTEN_WRITE);
    const now = Date.now();
    const digest = listingDigest(tools);
    const version = this.ctx.storage.transactionSync(() => {
      const head = this.#sql
        .exec<{ version: number; digest: string }>("SELECT version, digest FROM listing WHERE scope = ?", scope)
        .toArray()[0];
      if (head && head.digest === digest) {
        this.#sql.exec("UPDATE listing SET fetched_at = ? WHERE scope = ?", now, scope);
        return head.version;
      }
      const next = (head?.version ?? 0) + 1;
      this.#sql.exec("DELETE FROM listed_tool WHERE scope = ?", scope);
      tools.forEach((t, pos) => {
        this.#sql.exec(
          "INSERT INTO listed_tool (scope, pos, name, hash, def) VALUES (?, ?, ?, ?, ?)",
          scope,
          pos,
          t.tool.name,
          t.hash,
          JSON.stringify(t.tool),
        );
      });
      this.#sql.exec(
        `INSERT INTO listing (scope, version, fetched_at, digest) VALUES (?, ?, ?, ?)
         ON CONFLICT(scope) DO UPDATE SET version = excluded.version, fetched_at = excluded.fetched_at,
         digest = excluded.digest`,
        scope,
        next,
        now,
        digest,
      );
      for (const t of tools) {
        this.#sql.exec(
          "INSERT INTO first_seen (name, hash, seen_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING",
          t.tool.name,
          t.hash,
          now,
        );
      }
      return next;
    });
    return { version, fetchedAt: now, firstSeen: this.#firstSeen() };
  }

  /** Observed result shapes of the named tools (src/typecheck/observed-types.ts), as `[name, entry]`. */
  async observedShapes(names: string[]): Promise<Array<[string, { hash: string; calls: number; shape: Shape }]>> {
    const out: Array<[string, { hash: string; calls: number; shape: Shape }]> = [];
    for (const name of names.slice(0, 200)) {
      const row = this.#sql
        .exec<{ hash: string; calls: number; shape: string }>(
          "SELECT hash, calls, shape FROM observed WHERE name = ?",
          String(name),
        )
        .toArray()[0];
      if (row) out.push([name, { hash: row.hash, calls: row.calls, shape: JSON.parse(row.shape) as Shape }]);
    }
    return out;
  }

  /**
   * Merges the shape of `calls` results into a tool's observed shape; a new definition hash starts over. Dropped for
   * a removed server (`addedAt` as for {@link write}).
   */
  async observeShape(name: string, hash: string, shape: Shape, calls = 1, addedAt?: number): Promise<void> {
    if (this.#forgotten(addedAt)) return;
    const added = Math.max(1, Math.min(1_000, Math.floor(Number(calls)) || 1));
    this.ctx.storage.transactionSync(() => {
      const row = this.#sql
        .exec<{ hash: string; calls: number; shape: string }>(
          "SELECT hash, calls, shape FROM observed WHERE name = ?",
          name,
        )
        .toArray()[0];
      const same = row?.hash === hash;
      const merged = same ? mergeShapes(JSON.parse(row!.shape) as Shape, shape) : shape;
      let json = JSON.stringify(merged);
      if (json.length > MAX_SHAPE_JSON) json = JSON.stringify({ x: true });
      this.#sql.exec(
        `INSERT INTO observed (name, hash, calls, shape) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET hash = excluded.hash, calls = excluded.calls, shape = excluded.shape`,
        name,
        hash,
        same ? row!.calls + added : added,
        json,
      );
    });
  }

  /** Pairs, not an object: a tool named `__proto__` would not survive as a key of `{}`. */
  #firstSeen(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const row of this.#sql.exec<{ name: string; hash: string }>("SELECT name, hash FROM first_seen")) {
      out.push([row.name, row.hash]);
    }
    return out;
  }
}
