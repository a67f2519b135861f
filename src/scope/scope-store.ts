/**
 * @module scope/scope-store
 * The carried scope of one session or context: the top-level bindings that live on between its executions, in
 * the owning Durable Object's SQLite. Values are stored in the structured encoding of worker-loader/scope-codec.js
 * (made in the sandbox, never evaluated on the host); function and class declarations and imports as source.
 * Caps are per binding and per scope; over the scope cap the oldest bindings (by when the name was first carried)
 * are evicted first, and every eviction is reported, never silent. A value carried on unchanged is not rewritten.
 */
import { type DroppedSummary, summarizeDropped } from "./dropped-summary";
import type { CarriedDeclaration, CarriedImport } from "./scope-analysis";
import { MAX_PARSED_PREVIEW_CHARS, preview, valuePreview } from "./scope-preview";

/** What an execution starts with. */
export interface CarriedScope {
  /** name -> encoded value (scope-codec.js). */
  values: Array<{ name: string; json: string }>;
  declarations: CarriedDeclaration[];
  imports: CarriedImport[];
  /**
   * Names an earlier execution declared but that were not kept, with the reason (the newest {@link MAX_DROPPED_NOTES}):
   * a program that names one is told why it is not defined.
   */
  dropped?: DroppedBinding[];
}

/** Reasons kept for names that were not carried; older ones are forgotten. */
export const MAX_DROPPED_NOTES = 64;

/** What an execution leaves behind: bindings to store (replacing any of the same name) and names to forget. */
export interface ScopeUpdate extends CarriedScope {
  /** Bindings the execution declared but could not store, with the reason (they are also forgotten). */
  unstorable: Array<{ name: string; reason: string }>;
}

/** A binding that was not kept, and why. */
export interface DroppedBinding {
  name: string;
  reason: string;
}

/** One binding as get_context shows it. */
export interface ScopeEntry {
  name: string;
  kind: "value" | "function" | "class" | "import";
  type: string;
  bytes: number;
  preview: string;
}

/** The caps, from `limits` in GATEWAY_CONFIG. */
export interface ScopeLimits {
  max_scope_value_bytes: number;
  max_scope_bytes: number;
  max_scope_names: number;
}

type Row = {
  name: string;
  kind: ScopeEntry["kind"];
  body: string;
  bytes: number;
  seq: number;
};

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The tag (and a typed array's class) at the head of an encoded object (worker-loader/scope-codec.js writes it first). */
const HEAD_TAG = /^\{"\$cg":"([a-z]+)"(?:,"c":"([A-Za-z0-9]+)")?/;

/**
 * The type of an encoded value too large to parse for `get_context` (src/scope/scope-preview.ts keeps to the same
 * size), read from its first characters: the kind without a count.
 */
/** Characters of a large value's text that `get_context` reads: more than a preview shows, so it can mark the cut. */
const HEAD_CHARS = 1_024;

function typeFromHead(json: string): string {
  if (json.startsWith("[")) return "Array";
  if (json.startsWith('"')) return "string";
  const tag = HEAD_TAG.exec(json.slice(0, 64));
  if (!tag) return "object";
  if (tag[1] === "typed" && tag[2]) return tag[2];
  return TAG_TYPES.get(tag[1]!) ?? "unknown";
}

const TAG_TYPES = new Map([
  ["obj", "object"],
  ["big", "bigint"],
  ["map", "Map"],
  ["set", "Set"],
  ["buf", "ArrayBuffer"],
  ["date", "Date"],
  ["re", "RegExp"],
]);

/** The TypeScript-like type of an encoded value, read from its top level only. */
export function encodedType(json: string): string {
  if (json.length > MAX_PARSED_PREVIEW_CHARS) return typeFromHead(json);
  const v = JSON.parse(json) as unknown;
  if (v === null) return "null";
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v !== "object") return typeof v;
  const tag = (v as Record<string, unknown>).$cg;
  switch (tag) {
    case undefined:
    case "obj":
      return "object";
    case "undef":
      return "undefined";
    case "num":
      return "number";
    case "big":
      return "bigint";
    case "date":
      return "Date";
    case "re":
      return "RegExp";
    case "map":
      return `Map(${((v as { v: unknown[] }).v ?? []).length})`;
    case "set":
      return `Set(${((v as { v: unknown[] }).v ?? []).length})`;
    case "typed":
      return String((v as { c: unknown }).c);
    case "buf":
      return "ArrayBuffer";
    default:
      return "unknown";
  }
}

/** The carried scope in a Durable Object's SQLite. */
export class ScopeStore {
  #sql: SqlStorage;
  #ready = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  #init(): void {
    if (this.#ready) return;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS carried_scope (name TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, bytes INTEGER NOT NULL, seq INTEGER NOT NULL)",
    );
    // Caps and counts read only name, bytes and seq: covered here, they never read the values (up to 16 MB in all,
    // stored before `bytes` in each row), which every execution's end did twice.
    this.#sql.exec("CREATE INDEX IF NOT EXISTS carried_scope_order ON carried_scope (seq, bytes, name)");
    // Beside a carried declaration: the execution and line that declared it (errors inside it name them); for a name
    // that was not kept: why (a program that names it is told). Its own table: rows of carried_scope stay as they were.
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS carried_scope_notes (name TEXT PRIMARY KEY, execution TEXT, line INTEGER, reason TEXT, seq INTEGER NOT NULL)",
    );
    this.#ready = true;
  }

  /** The storage was deleted (the retention's deleteAll): the next use makes the table and index again. */
  dropped(): void {
    this.#ready = false;
  }

  /** Name and size of every binding, oldest first (from the index; no value is read). */
  #sizes(): Array<{ name: string; bytes: number }> {
    this.#init();
    return this.#sql
      .exec<{ name: string; bytes: number }>("SELECT name, bytes FROM carried_scope ORDER BY seq")
      .toArray();
  }

  #rows(): Row[] {
    this.#init();
    return this.#sql.exec<Row>("SELECT name, kind, body, bytes, seq FROM carried_scope ORDER BY seq").toArray();
  }

  /** Everything the next execution starts with. */
  snapshot(): CarriedScope {
    this.#init();
    const scope: CarriedScope = { values: [], declarations: [], imports: [] };
    const origins = new Map<string, { execution: string; line: number }>();
    const dropped: DroppedBinding[] = [];
    for (const note of this.#sql
      .exec<{ name: string; execution: string | null; line: number | null; reason: string | null }>(
        "SELECT name, execution, line, reason FROM carried_scope_notes ORDER BY seq",
      )
      .toArray()) {
      if (note.reason !== null) dropped.push({ name: note.name, reason: note.reason });
      else if (note.execution !== null && note.line !== null)
        origins.set(note.name, { execution: note.execution, line: note.line });
    }
    for (const row of this.#rows()) {
      if (row.kind === "value") scope.values.push({ name: row.name, json: row.body });
      else if (row.kind === "import")
        scope.imports.push({ local: row.name, ...(JSON.parse(row.body) as Omit<CarriedImport, "local">) });
      else scope.declarations.push({ name: row.name, kind: row.kind, source: row.body, ...origins.get(row.name) });
    }
    if (dropped.length > 0) scope.dropped = dropped;
    return scope;
  }

  /** Records where carried declarations come from and why names were not kept (carried_scope_notes). */
  #note(update: ScopeUpdate, dropped: readonly DroppedBinding[]): void {
    let seq = (this.#sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM carried_scope_notes").one().s ?? 0) + 1;
    const upsert = (name: string, execution: string | null, line: number | null, reason: string | null) =>
      this.#sql.exec(
        "INSERT INTO carried_scope_notes (name, execution, line, reason, seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET execution = excluded.execution, line = excluded.line, reason = excluded.reason, seq = excluded.seq",
        name,
        execution,
        line,
        reason,
        seq++,
      );
    // A name now kept as a value or import has no note: deleted only where there is one (a program may keep 24,000
    // values, the notes are few).
    const noted = new Set(
      this.#sql
        .exec<{ name: string }>("SELECT name FROM carried_scope_notes")
        .toArray()
        .map((r) => r.name),
    );
    if (noted.size > 0) {
      for (const name of [...update.values.map((v) => v.name), ...update.imports.map((i) => i.local)]) {
        if (noted.has(name)) this.#sql.exec("DELETE FROM carried_scope_notes WHERE name = ?", name);
      }
    }
    if (noted.size === 0 && update.declarations.length === 0 && dropped.length === 0) return;
    for (const d of update.declarations) upsert(d.name, d.execution ?? null, d.line ?? null, null);
    for (const d of dropped) upsert(d.name, null, null, d.reason.slice(0, 400));
    // Origins of declarations no longer kept (evicted) go; reasons are kept, the newest MAX_DROPPED_NOTES of them.
    this.#sql.exec(
      "DELETE FROM carried_scope_notes WHERE reason IS NULL AND name NOT IN (SELECT name FROM carried_scope)",
    );
    this.#sql.exec(
      "DELETE FROM carried_scope_notes WHERE reason IS NOT NULL AND seq NOT IN (SELECT seq FROM carried_scope_notes WHERE reason IS NOT NULL ORDER BY seq DESC LIMIT ?)",
      MAX_DROPPED_NOTES,
    );
  }

  /**
   * Stores what an execution left, enforcing the caps; returns the names now kept and the bindings dropped (the first
   * few by name, the rest counted per reason: src/scope/dropped-summary.ts).
   */
  apply(update: ScopeUpdate, limits: ScopeLimits): { kept: string[] } & DroppedSummary {
    this.#init();
    const dropped: DroppedBinding[] = [...update.unstorable];
    let seq = (this.#sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM carried_scope").one().s ?? 0) + 1;
    const put = (name: string, kind: Row["kind"], body: string) => {
      this.#sql.exec(
        "INSERT INTO carried_scope (name, kind, body, bytes, seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, body = excluded.body, bytes = excluded.bytes WHERE body != excluded.body OR kind != excluded.kind",
        name,
        kind,
        body,
        utf8Bytes(body),
        seq++,
      );
    };
    for (const { name } of update.unstorable) this.#sql.exec("DELETE FROM carried_scope WHERE name = ?", name);
    for (const { name, json } of update.values) {
      const bytes = utf8Bytes(json);
      if (bytes > limits.max_scope_value_bytes) {
        dropped.push({
          name,
          reason: `its value is ${bytes} bytes encoded; a carried variable holds at most ${limits.max_scope_value_bytes} (limits.max_scope_value_bytes): keep it with state.set or make it smaller`,
        });
        this.#sql.exec("DELETE FROM carried_scope WHERE name = ?", name);
        continue;
      }
      put(name, "value", json);
    }
    for (const d of update.declarations) put(d.name, d.kind, d.source);
    for (const i of update.imports) put(i.local, "import", JSON.stringify({ imported: i.imported, source: i.source }));

    // Oldest first, until both caps hold.
    const rows = this.#sizes();
    let total = rows.reduce((sum, r) => sum + r.bytes, 0);
    let count = rows.length;
    for (const row of rows) {
      if (total <= limits.max_scope_bytes && count <= limits.max_scope_names) break;
      this.#sql.exec("DELETE FROM carried_scope WHERE name = ?", row.name);
      total -= row.bytes;
      count--;
      dropped.push({
        name: row.name,
        reason:
          count >= limits.max_scope_names
            ? `evicted, oldest first: the scope holds at most ${limits.max_scope_names} names (limits.max_scope_names)`
            : `evicted, oldest first: the scope holds at most ${limits.max_scope_bytes} bytes (limits.max_scope_bytes)`,
      });
    }
    // Only the newest reasons are kept as notes: a program may drop tens of thousands of names.
    this.#note(update, dropped.slice(-MAX_DROPPED_NOTES));
    return { kept: this.#sizes().map((r) => r.name), ...summarizeDropped(dropped) };
  }

  /**
   * Each binding with its type, size and a short preview (get_context). A value too large to parse for its preview is
   * read only as far as its head: the scope may hold 64 MiB.
   */
  list(): ScopeEntry[] {
    this.#init();
    const rows = this.#sql
      .exec<Row & { whole: number }>(
        // By the stored byte count: length() would decode every value to count its characters.
        `SELECT name, kind, bytes, seq, bytes <= ? AS whole,
           CASE WHEN bytes <= ? THEN body ELSE substr(body, 1, ?) END AS body
         FROM carried_scope ORDER BY seq`,
        MAX_PARSED_PREVIEW_CHARS,
        MAX_PARSED_PREVIEW_CHARS,
        HEAD_CHARS,
      )
      .toArray();
    return rows.map((row) => {
      if (row.kind === "value") {
        return {
          name: row.name,
          kind: row.kind,
          type: row.whole ? encodedType(row.body) : typeFromHead(row.body),
          bytes: row.bytes,
          preview: row.whole ? valuePreview(row.body) : preview(row.body),
        };
      }
      if (row.kind === "import" && row.whole) {
        const { imported, source } = JSON.parse(row.body) as { imported: string; source: string };
        return {
          name: row.name,
          kind: row.kind,
          type: "import",
          bytes: row.bytes,
          preview: `${imported} from "${source}"`,
        };
      }
      return { name: row.name, kind: row.kind, type: row.kind, bytes: row.bytes, preview: preview(row.body) };
    });
  }

  /** Forgets every binding (reset_context). Returns how many there were. */
  reset(): number {
    this.#init();
    const n = this.#sizes().length;
    this.#sql.exec("DELETE FROM carried_scope");
    this.#sql.exec("DELETE FROM carried_scope_notes");
    return n;
  }
}
