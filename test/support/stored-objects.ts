/**
 * What the gateway stored, read where workerd keeps it: one SQLite file per Durable Object under the test's persist
 * folder (test/support/gateway.ts). Tests compare two readings to prove that requests wrote nothing.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/**
 * The Durable Objects (of every class, or of `className`) holding anything the gateway wrote: their SQLite files with
 * a table other than Miniflare's record of the object's name. Miniflare writes that record into every named object
 * it starts, so locally a file exists even for an object that wrote nothing (Cloudflare stores nothing for such an
 * object).
 */
export function storedObjects(persistDir: string, className?: string): string[] {
  const root = join(persistDir, "v3", "do");
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true }) as string[];
  } catch {
    return [];
  }
  // Each class has its folder, named `<worker>-<class>` (wrangler.toml `name`).
  const objects = names.filter(
    (n) =>
      n.endsWith(".sqlite") &&
      !n.endsWith("metadata.sqlite") &&
      (className === undefined || n.startsWith(`codemode-gateway-${className}/`)),
  );
  return objects
    .filter((name) => {
      const db = new DatabaseSync(join(root, name), { readOnly: true, timeout: 5_000 });
      try {
        return db.prepare("SELECT 1 FROM sqlite_master WHERE name <> '__miniflare_do_name'").all().length > 0;
      } finally {
        db.close();
      }
    })
    .sort();
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
