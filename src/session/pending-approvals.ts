/**
 * @module session/pending-approvals
 * Executions suspended for approval, kept in the session's SQLite storage until approve_call or deny_call uses
 * their handle (once) or they expire. A handle only works in the session that issued it.
 */
import type { PendingCall, RecordedCall } from "../sandbox/approval";
import type { ToolExtra } from "./notifier";

/** How long an approval handle stays usable. */
export const APPROVAL_HANDLE_TTL_MS = 24 * 60 * 60_000;

/** Everything needed to run (or re-run) one execution. */
export interface RunSpec {
  code: string;
  kind: "code" | "skill";
  skill?: string;
  timeoutMs?: number;
  replay?: readonly RecordedCall[];
  approved?: string;
  /** The MCP request being served (for notifications and elicitation); never stored. */
  extra?: ToolExtra | undefined;
}

export interface SuspendedExecution {
  spec: RunSpec;
  pending: PendingCall;
  recorded: RecordedCall[];
}

export class PendingApprovals {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS approvals (handle TEXT PRIMARY KEY, state TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL)",
    );
  }

  create(suspended: SuspendedExecution): string {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const handle = `apr_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    const { extra: _drop, ...spec } = suspended.spec;
    this.#sql.exec("DELETE FROM approvals WHERE created_at < ?", Date.now() - APPROVAL_HANDLE_TTL_MS);
    this.#sql.exec(
      "INSERT INTO approvals (handle, state, status, created_at) VALUES (?, ?, 'pending', ?)",
      handle,
      JSON.stringify({ ...suspended, spec }),
      Date.now(),
    );
    return handle;
  }

  /** Marks a pending handle as decided and returns its execution, or a message saying why it cannot be used. */
  take(handle: string, decision: "approved" | "denied"): SuspendedExecution | string {
    const row = this.#sql
      .exec<{ state: string; status: string; created_at: number }>(
        "SELECT state, status, created_at FROM approvals WHERE handle = ?",
        handle,
      )
      .toArray()[0];
    if (!row) return `unknown approval handle ${handle} (handles work only in the session that issued them)`;
    if (row.status !== "pending") return `approval handle ${handle} was already used (${row.status})`;
    if (row.created_at < Date.now() - APPROVAL_HANDLE_TTL_MS) return `approval handle ${handle} has expired`;
    this.#sql.exec("UPDATE approvals SET status = ? WHERE handle = ?", decision, handle);
    return JSON.parse(row.state) as SuspendedExecution;
  }
}
