/**
 * What the gateway stored, read where workerd keeps it: one SQLite file per Durable Object under the test's persist
 * folder (test/support/gateway.ts). Tests compare two readings to prove that requests wrote nothing.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Miniflare's record of the object's name, which it writes into every named object it starts. */
const NAME_TABLE = "__miniflare_do_name";

/** Each holding object's file (relative to the class folders' root) and its name as Miniflare recorded it. */
function holdingObjects(persistDir: string, className?: string): Array<{ file: string; name: string | undefined }> {
  const root = join(persistDir, "v3", "do");
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true }) as string[];
  } catch {
    return [];
  }
  // Each class has its folder, named `<worker>-<class>` (wrangler.toml `name`).
  const files = names.filter(
    (n) =>
      n.endsWith(".sqlite") &&
      !n.endsWith("metadata.sqlite") &&
      (className === undefined || n.startsWith(`codemode-gateway-${className}/`)),
  );
  const holding: Array<{ file: string; name: string | undefined }> = [];
  for (const file of files.sort()) {
    const db = new DatabaseSync(join(root, file), { readOnly: true, timeout: 5_000 });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      if (!tables.some((t) => t.name !== NAME_TABLE)) continue;
      const named = tables.some((t) => t.name === NAME_TABLE)
        ? (db.prepare(`SELECT name FROM ${NAME_TABLE} WHERE id = 1`).get() as { name?: string } | undefined)
        : undefined;
      holding.push({ file, name: named?.name });
    } finally {
      db.close();
    }
  }
  return holding;
}

/**
 * The Durable Objects (of every class, or of `className`) holding anything the gateway wrote: their SQLite files with
 * a table other than Miniflare's record of the object's name. Miniflare writes that record into every named object
 * it starts, so locally a file exists even for an object that wrote nothing (Cloudflare stores nothing for such an
 * object).
 */
export function storedObjects(persistDir: string, className?: string): string[] {
  return holdingObjects(persistDir, className).map((o) => o.file);
}

/**
 * The file of the object of `className` named `name` (e.g. `local:ctx_…`), found while it holds anything: a test
 * then follows that object in {@link storedObjects} whatever its neighbours store meanwhile. Found by Miniflare's
 * record of the name, which the object's `deleteAll` deletes and only a new instance writes again.
 */
export function storedObjectFile(persistDir: string, className: string, name: string): string | undefined {
  return holdingObjects(persistDir, className).find((o) => o.name === name)?.file;
}

/** The tables that hold rows in one stored object (a file storedObjects lists), Miniflare's record of its name aside. */
export function tablesWithRows(persistDir: string, object: string): string[] {
  const db = new DatabaseSync(join(persistDir, "v3", "do", object), { readOnly: true, timeout: 5_000 });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '__miniflare_do_name' ORDER BY name")
      .all() as Array<{ name: string }>;
    return tables
      .map((t) => t.name)
      .filter((name) => db.prepare(`SELECT 1 FROM "${name.replaceAll('"', '""')}" LIMIT 1`).all().length > 0);
  } finally {
    db.close();
  }
}

/** The rows of `table` in one stored object (a file storedObjects lists); none when the table does not exist. */
export function storedRows(persistDir: string, object: string, table: string): Array<Record<string, unknown>> {
  const db = new DatabaseSync(join(persistDir, "v3", "do", object), { readOnly: true, timeout: 5_000 });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").all(table).length > 0;
    return exists
      ? (db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).all() as Array<Record<string, unknown>>)
      : [];
  } finally {
    db.close();
  }
}
