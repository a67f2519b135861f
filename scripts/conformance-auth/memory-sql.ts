/**
 * A Durable Object `SqlStorage` over Node's built-in SQLite (`node:sqlite`, in memory), so code written for the
 * user object's storage (src/user/oauth/oauth-store.ts) runs unchanged in a command-line harness. It covers what
 * that code uses: `exec(query, ...bindings)` with `toArray()`, `one()`, iteration and `rowsWritten`.
 */
import { DatabaseSync } from "node:sqlite";

type Row = Record<string, SqlStorageValue>;

class MemoryCursor<T extends Row> {
  readonly #rows: T[];
  readonly rowsWritten: number;
  readonly rowsRead: number;
  readonly columnNames: string[];

  constructor(rows: T[], written: number) {
    this.#rows = rows;
    this.rowsWritten = written;
    this.rowsRead = rows.length;
    this.columnNames = rows[0] ? Object.keys(rows[0]) : [];
  }

  toArray(): T[] {
    return [...this.#rows];
  }

  one(): T {
    if (this.#rows.length !== 1)
      throw new Error(`Expected exactly one result from SQL query, got ${this.#rows.length}`);
    return this.#rows[0] as T;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.#rows[Symbol.iterator]();
  }
}

/** An in-memory database answering like `ctx.storage.sql`; one statement per `exec`, as the callers issue them. */
export function memorySql(): SqlStorage {
  const db = new DatabaseSync(":memory:");
  const exec = <T extends Row>(query: string, ...bindings: unknown[]): MemoryCursor<T> => {
    const statement = db.prepare(query);
    const values = bindings as Array<null | number | string | Uint8Array>;
    // A statement that yields columns is a query; anything else reports the rows it changed.
    if (statement.columns().length > 0) {
      const rows = statement.all(...values).map((row) => ({ ...row }) as T);
      return new MemoryCursor(rows, 0);
    }
    const { changes } = statement.run(...values);
    return new MemoryCursor<T>([], Number(changes));
  };
  return { exec, databaseSize: 0, Cursor: MemoryCursor, Statement: class {} } as unknown as SqlStorage;
}
