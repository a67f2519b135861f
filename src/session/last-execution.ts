/**
 * @module session/last-execution
 * What `state.last()` answers: the outcome of this session's previous execution. Like `state`, it belongs to the
 * session (the history, with every session's executions, belongs to the user: src/user/). An execution approved
 * from another session re-runs here, so it becomes this session's last.
 */

import type { ExecuteResult } from "../sandbox/execution-types";
import { LazyTables } from "../shared/lazy-tables";
import { historyResult } from "../user/execution-history";

/** What `state.last()` returns. */
export interface LastOutcome {
  execution_id: string;
  ok: boolean;
  result?: unknown;
  error?: ExecuteResult["error"];
}

/** The session's last execution outcome (one row in the session object's storage). */
export class LastExecution {
  readonly #tables: LazyTables;

  constructor(sql: SqlStorage) {
    this.#tables = new LazyTables(sql, [
      "CREATE TABLE IF NOT EXISTS last_execution (slot INTEGER PRIMARY KEY CHECK (slot = 0), outcome TEXT)",
    ]);
  }

  /** The table is created on first use, never when the object starts (src/shared/lazy-tables.ts). */
  #init(): SqlStorage {
    return this.#tables.sql;
  }

  /** The storage was deleted (the retention's deleteAll): the next use makes the table again. */
  dropped(): void {
    this.#tables.dropped();
  }

  /** Remembers a finished execution (refused ones have no id and are not remembered). */
  set(r: ExecuteResult): void {
    if (!r.execution_id) return;
    const result = historyResult(r.result);
    const outcome: LastOutcome = {
      execution_id: r.execution_id,
      ok: r.ok,
      ...(result === undefined ? {} : { result }),
      ...(r.error ? { error: r.error } : {}),
    };
    this.#init().exec(
      "INSERT INTO last_execution (slot, outcome) VALUES (0, ?) ON CONFLICT(slot) DO UPDATE SET outcome = excluded.outcome",
      JSON.stringify(outcome),
    );
  }

  get(): LastOutcome | undefined {
    const row = this.#init().exec<{ outcome: string }>("SELECT outcome FROM last_execution").toArray()[0];
    return row ? (JSON.parse(row.outcome) as LastOutcome) : undefined;
  }
}
