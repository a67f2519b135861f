/**
 * @module shared/lazy-tables
 * SQLite tables a Durable Object makes on first use rather than when it starts: an object that has written nothing
 * is not stored, so one woken by a request it refuses (an unknown session id) must not write (see
 * src/session/session-meta.ts), and one whose storage was deleted makes its tables again when used again.
 */
export class LazyTables {
  readonly #sql: SqlStorage;
  readonly #statements: readonly string[];
  #ready = false;

  constructor(sql: SqlStorage, statements: readonly string[]) {
    this.#sql = sql;
    this.#statements = statements;
  }

  /** The storage, its tables made if they are not yet. */
  get sql(): SqlStorage {
    if (!this.#ready) {
      for (const statement of this.#statements) this.#sql.exec(statement);
      this.#ready = true;
    }
    return this.#sql;
  }

  /** The tables were deleted (deleteAll): the next use makes them again. */
  dropped(): void {
    this.#ready = false;
  }
}
