/**
 * @module servers/workspace/store
 * The built-in workspace's virtual filesystem: one SQLite Durable Object per user. Directories are implicit
 * (the prefixes of file paths), as in an object store.
 */
import { DurableObject, RpcTarget } from "cloudflare:workers";
import type { Env } from "../../env";
import { compileGlob, GlobBudget, GlobBudgetError } from "../../glob-match";
import { answer, WorkspaceError, type WorkspaceRemote } from "./store-answer";

export const WORKSPACE_MAX_FILE_BYTES = 1024 * 1024;
export const WORKSPACE_MAX_FILES = 10_000;
const MAX_PATH_CHARS = 1_024;
const MAX_SEARCH_RESULTS = 1_000;

export interface DirectoryEntry {
  name: string;
  type: "file" | "directory";
  size?: number;
}

/** Normalizes a user path to `/a/b` form; refuses `..`, NUL and overlong paths. */
export function normalizePath(path: string): string {
  if (typeof path !== "string") throw new WorkspaceError("path must be a string");
  if (path.length > MAX_PATH_CHARS) throw new WorkspaceError(`path is longer than ${MAX_PATH_CHARS} characters`);
  if (path.includes("\0")) throw new WorkspaceError("path contains a NUL character");
  const parts: string[] = [];
  for (const part of path.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") throw new WorkspaceError(`path ${JSON.stringify(path)} uses '..', which the workspace refuses`);
    parts.push(part);
  }
  return `/${parts.join("/")}`;
}

function dirPrefix(dir: string): string {
  return dir === "/" ? "/" : `${dir}/`;
}

/** `*` within a path segment, `**` across segments, `?` one character; case-insensitive. */
const WORKSPACE_GLOB = { pathSegments: true, question: true, ignoreCase: true } as const;

/**
 * Glob steps (characters × pattern length) one search may spend: ~0.1 s here. Matching is linear (no regex), but
 * 10,000 paths of 1,024 characters against a 1,024-character pattern would still be 10^10 steps.
 */
const MAX_SEARCH_GLOB_STEPS = 20_000_000;

/** What the workspace server needs of a user's store (through {@link workspaceAccess} or a held handle). */
export interface WorkspaceAccess {
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<{ path: string; bytes: number }>;
  listDirectory(path: string): Promise<DirectoryEntry[]>;
  deleteFile(path: string): Promise<{ path: string }>;
  searchFiles(path: string, pattern: string): Promise<string[]>;
}

/**
 * A capability on one store, handed out by {@link WorkspaceStore.open}. A call on it travels over the connection the
 * handle already has, where a call on the namespace's stub is routed to the object anew each time: locally about
 * 0.2 ms against 1 ms per call (bench/results.json, hops workspace_handle and workspace_do).
 */
export class WorkspaceHandle extends RpcTarget implements WorkspaceRemote {
  readonly #store: WorkspaceStore;

  constructor(store: WorkspaceStore) {
    super();
    this.#store = store;
  }

  readFile(path: string) {
    return this.#store.readFile(path);
  }
  writeFile(path: string, content: string) {
    return this.#store.writeFile(path, content);
  }
  listDirectory(path: string) {
    return this.#store.listDirectory(path);
  }
  deleteFile(path: string) {
    return this.#store.deleteFile(path);
  }
  searchFiles(path: string, pattern: string) {
    return this.#store.searchFiles(path, pattern);
  }
}

export class WorkspaceStore extends DurableObject<Env> implements WorkspaceRemote {
  /** A handle for a caller that makes many calls (a session's built-in connection): see {@link WorkspaceHandle}. */
  open(): WorkspaceHandle {
    return new WorkspaceHandle(this);
  }

  #sql = this.ctx.storage.sql;

  readFile(path: string) {
    return answer(() => this.#readFile(path));
  }
  writeFile(path: string, content: string) {
    return answer(() => this.#writeFile(path, content));
  }
  listDirectory(path: string) {
    return answer(() => this.#listDirectory(path));
  }
  deleteFile(path: string) {
    return answer(() => this.#deleteFile(path));
  }
  searchFiles(path: string, pattern: string) {
    return answer(() => this.#searchFiles(path, pattern));
  }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, content TEXT NOT NULL, updated_at INTEGER NOT NULL)",
    );
  }

  async #readFile(path: string): Promise<string> {
    const p = normalizePath(path);
    const row = this.#sql.exec<{ content: string }>("SELECT content FROM files WHERE path = ?", p).toArray()[0];
    if (!row) throw new WorkspaceError(`file not found: ${p}${this.#isDir(p) ? " (it is a directory)" : ""}`);
    return row.content;
  }

  async #writeFile(path: string, content: string): Promise<{ path: string; bytes: number }> {
    const p = normalizePath(path);
    if (p === "/") throw new WorkspaceError("cannot write to the root directory; give a file path such as /notes.txt");
    if (typeof content !== "string") throw new WorkspaceError("content must be a string");
    const bytes = new TextEncoder().encode(content).byteLength;
    if (bytes > WORKSPACE_MAX_FILE_BYTES) {
      throw new WorkspaceError(
        `content is ${bytes} bytes; the workspace limit is ${WORKSPACE_MAX_FILE_BYTES} per file`,
      );
    }
    if (this.#isDir(p)) throw new WorkspaceError(`${p} is a directory`);
    const exists = this.#sql.exec("SELECT 1 FROM files WHERE path = ?", p).toArray().length > 0;
    if (!exists) {
      const count = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM files").one().n;
      if (count >= WORKSPACE_MAX_FILES) throw new WorkspaceError(`the workspace holds its limit of ${count} files`);
    }
    this.#sql.exec(
      "INSERT INTO files (path, content, updated_at) VALUES (?, ?, ?) " +
        "ON CONFLICT(path) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
      p,
      content,
      Date.now(),
    );
    return { path: p, bytes };
  }

  async #listDirectory(path: string): Promise<DirectoryEntry[]> {
    const dir = normalizePath(path);
    const prefix = dirPrefix(dir);
    const entries = new Map<string, DirectoryEntry>();
    const rows = this.#sql.exec<{ path: string; size: number }>(
      "SELECT path, length(CAST(content AS BLOB)) AS size FROM files WHERE substr(path, 1, ?) = ? ORDER BY path",
      prefix.length,
      prefix,
    );
    for (const row of rows) {
      const rest = row.path.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash === -1) entries.set(rest, { name: rest, type: "file", size: row.size });
      else entries.set(rest.slice(0, slash), { name: rest.slice(0, slash), type: "directory" });
    }
    if (entries.size === 0 && dir !== "/") {
      const isFile = this.#sql.exec("SELECT 1 FROM files WHERE path = ?", dir).toArray().length > 0;
      throw new WorkspaceError(isFile ? `${dir} is a file, not a directory` : `directory not found: ${dir}`);
    }
    return [...entries.values()];
  }

  async #deleteFile(path: string): Promise<{ path: string }> {
    const p = normalizePath(path);
    const deleted = this.#sql.exec("DELETE FROM files WHERE path = ? RETURNING path", p).toArray().length;
    if (!deleted) {
      throw new WorkspaceError(
        this.#isDir(p) ? `${p} is a directory; delete its files one by one` : `file not found: ${p}`,
      );
    }
    return { path: p };
  }

  async #searchFiles(path: string, pattern: string): Promise<string[]> {
    const dir = normalizePath(path);
    if (typeof pattern !== "string" || pattern.length === 0)
      throw new WorkspaceError("pattern must be a non-empty string");
    if (pattern.length > MAX_PATH_CHARS) {
      throw new WorkspaceError(`pattern is longer than ${MAX_PATH_CHARS} characters`);
    }
    const prefix = dirPrefix(dir);
    // A pattern with glob characters matches the whole relative path; a plain word matches any part of a name.
    const glob = pattern.includes("*") || pattern.includes("?") ? compileGlob(pattern, WORKSPACE_GLOB) : undefined;
    const budget = new GlobBudget(MAX_SEARCH_GLOB_STEPS);
    const needle = pattern.toLowerCase();
    const matches: string[] = [];
    const rows = this.#sql.exec<{ path: string }>(
      "SELECT path FROM files WHERE substr(path, 1, ?) = ? ORDER BY path",
      prefix.length,
      prefix,
    );
    for (const { path: file } of rows) {
      const rel = file.slice(prefix.length);
      const name = rel.slice(rel.lastIndexOf("/") + 1);
      let hit: boolean;
      try {
        hit = glob ? glob.match(rel, budget) || glob.match(name, budget) : rel.toLowerCase().includes(needle);
      } catch (err) {
        if (!(err instanceof GlobBudgetError)) throw err;
        throw new WorkspaceError(
          `the pattern is too costly to match against every path under ${dir} (over ${MAX_SEARCH_GLOB_STEPS} ` +
            "steps); use a shorter pattern with fewer *, or search a narrower directory",
        );
      }
      if (hit) matches.push(file);
      if (matches.length >= MAX_SEARCH_RESULTS) break;
    }
    return matches;
  }

  #isDir(p: string): boolean {
    const prefix = dirPrefix(p);
    return (
      this.#sql.exec("SELECT 1 FROM files WHERE substr(path, 1, ?) = ? LIMIT 1", prefix.length, prefix).toArray()
        .length > 0
    );
  }
}
