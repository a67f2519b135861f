/**
 * @module user/pending-approvals
 * Executions suspended for approval, kept in the user object's SQLite storage until approve_call or deny_call
 * uses their handle (once) or they expire. A handle belongs to the user: any of the user's sessions can use it,
 * no other user can (each user has their own object). Each remembers the session that ran the execution, where
 * approving re-runs it.
 *
 * The recorded replies of the calls that already ran can be large (each up to max_tool_result_bytes), so the
 * stored state is split into parts: a Durable Object's SQLite row holds at most 2 MB.
 */
import { type ApprovalActor, MAX_RECORDED_CHARS } from "../sandbox/approval";
import type { ApprovedExecution, PendingApproval, SuspendedExecution } from "./user-types";

/** How long an approval handle stays usable. */
export const APPROVAL_HANDLE_TTL_MS = 24 * 60 * 60_000;
/** Handles kept per user (pending or used, so a reused handle is told "already used"); the oldest go first. */
export const APPROVALS_MAX = 1_000;
/** Stored state of all the user's handles; the oldest go first. */
export const APPROVALS_MAX_BYTES = 64 * 1024 * 1024;
/**
 * Largest state of one handle: a suspension past it cannot be resumed and is reported as such. The executing
 * session stops recording calls past it (src/sandbox/approval.ts MAX_RECORDED_CHARS).
 */
export const APPROVAL_MAX_STATE_CHARS = MAX_RECORDED_CHARS;
/** Why a suspension of `chars` characters of state gets no handle. */
export function approvalTooLarge(chars: number): string {
  return `it cannot be resumed: the replies of the calls before it take ${chars} bytes, over the ${APPROVAL_MAX_STATE_CHARS} an approval handle keeps; make the call that needs approval earlier, or with less data before it`;
}

/** Characters per stored part: at most 3 bytes each in UTF-8, well under the 2 MB row limit. */
const PART_CHARS = 256 * 1024;

/** The user's approval handles (in the user object's storage). */
export class PendingApprovals {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS approvals (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, handle TEXT UNIQUE NOT NULL, session TEXT NOT NULL,
      status TEXT NOT NULL, created_at INTEGER NOT NULL, bytes INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS approval_parts (
      handle TEXT NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (handle, part))`);
    // Added with the dashboard: the waiting call and its execution, readable without loading the whole state.
    try {
      sql.exec("ALTER TABLE approvals ADD COLUMN call TEXT");
      sql.exec("ALTER TABLE approvals ADD COLUMN rerun TEXT");
    } catch {
      // The columns exist already.
    }
  }

  /** The calls still waiting for a decision, newest first. */
  listPending(limit: number): PendingApproval[] {
    return this.#sql
      .exec<{ handle: string; call: string | null; created_at: number }>(
        "SELECT handle, call, created_at FROM approvals WHERE status = 'pending' AND created_at >= ? ORDER BY seq DESC LIMIT ?",
        Date.now() - APPROVAL_HANDLE_TTL_MS,
        limit,
      )
      .toArray()
      .map((r) => {
        const call = r.call
          ? (JSON.parse(r.call) as Omit<PendingApproval, "handle" | "created_at">)
          : this.#callFromState(r.handle);
        return { handle: r.handle, ...call, created_at: new Date(r.created_at).toISOString() };
      });
  }

  /** The waiting call of a handle stored before the `call` column existed. */
  #callFromState(handle: string): Omit<PendingApproval, "handle" | "created_at"> {
    const state = this.#sql
      .exec<{ text: string }>("SELECT text FROM approval_parts WHERE handle = ? ORDER BY part", handle)
      .toArray()
      .map((r) => r.text)
      .join("");
    const { pending } = JSON.parse(state) as SuspendedExecution;
    const { server, tool, arguments: args, authorization } = pending;
    return { server, tool, arguments: args, ...(authorization ? { authorization } : {}) };
  }

  /** Stores a suspended execution of `session` and returns its new handle, or `{ error }` when it is too large. */
  create(session: string, suspended: SuspendedExecution, executionId?: string): string | { error: string } {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const handle = `apr_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    const { code, kind, skill, timeoutMs, scopeFrom } = suspended.spec;
    const state = JSON.stringify({
      spec: {
        code,
        kind,
        ...(skill ? { skill } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(scopeFrom ? { scopeFrom } : {}),
      },
      pending: suspended.pending,
      recorded: suspended.recorded,
    });
    if (state.length > APPROVAL_MAX_STATE_CHARS) return { error: approvalTooLarge(state.length) };
    const { server, tool, arguments: args, authorization } = suspended.pending;
    const call = JSON.stringify({
      server,
      tool,
      arguments: args,
      ...(executionId ? { execution_id: executionId } : {}),
      ...(authorization ? { authorization } : {}),
    });
    this.#sql.exec(
      "INSERT INTO approvals (handle, session, status, created_at, bytes, call) VALUES (?, ?, 'pending', ?, ?, ?)",
      handle,
      session,
      Date.now(),
      state.length + call.length,
      call,
    );
    for (let part = 0; part * PART_CHARS < state.length; part++) {
      this.#sql.exec(
        "INSERT INTO approval_parts (handle, part, text) VALUES (?, ?, ?)",
        handle,
        part,
        state.slice(part * PART_CHARS, (part + 1) * PART_CHARS),
      );
    }
    this.#prune(handle);
    return handle;
  }

  /** The waiting call of a pending, unexpired handle, and when the handle was made; undefined for any other. */
  peek(handle: string): { call: Omit<PendingApproval, "handle" | "created_at">; createdAt: number } | undefined {
    const row = this.#sql
      .exec<{ call: string | null; created_at: number }>(
        "SELECT call, created_at FROM approvals WHERE handle = ? AND status = 'pending' AND created_at >= ?",
        handle,
        Date.now() - APPROVAL_HANDLE_TTL_MS,
      )
      .toArray()[0];
    if (!row) return undefined;
    const call = row.call
      ? (JSON.parse(row.call) as Omit<PendingApproval, "handle" | "created_at">)
      : this.#callFromState(handle);
    return { call, createdAt: row.created_at };
  }

  /** Marks a pending handle as decided and returns its execution, or a message saying why it cannot be used. */
  take(handle: string, decision: "approved" | "denied", by?: ApprovalActor): ApprovedExecution | string {
    const row = this.#sql
      .exec<{ session: string; status: string; created_at: number; rerun: string | null; execution: string | null }>(
        "SELECT session, status, created_at, rerun, json_extract(call, '$.execution_id') AS execution FROM approvals WHERE handle = ?",
        handle,
      )
      .toArray()[0];
    if (!row) return `unknown approval handle ${handle} (a handle works only for the user whose execution issued it)`;
    if (row.status !== "pending") {
      const rerun = row.rerun ? `; its re-run is execution ${row.rerun} (get_execution)` : "";
      return `approval handle ${handle} was already used (${row.status})${rerun}`;
    }
    if (row.created_at < Date.now() - APPROVAL_HANDLE_TTL_MS) return `approval handle ${handle} has expired`;
    const state = this.#sql
      .exec<{ text: string }>("SELECT text FROM approval_parts WHERE handle = ? ORDER BY part", handle)
      .toArray()
      .map((r) => r.text)
      .join("");
    this.#sql.exec("UPDATE approvals SET status = ? WHERE handle = ?", decision, handle);
    return {
      ...(JSON.parse(state) as SuspendedExecution),
      handle,
      session: row.session,
      ...(row.execution ? { execution_id: row.execution } : {}),
      ...(by ? { by } : {}),
    };
  }

  /**
   * Notes the execution that re-runs an approved handle (once, when it starts or ends) and returns the id of the
   * execution that stopped, whose record then names the re-run; undefined when there is nothing to note.
   */
  noteRerun(handle: string, executionId: string): string | undefined {
    const row = this.#approvedNotRerun(handle);
    if (!row) return undefined;
    this.#sql.exec("UPDATE approvals SET rerun = ? WHERE handle = ?", executionId, handle);
    return row.execution ?? undefined;
  }

  /**
   * Makes an approved handle pending again: its re-run was refused before anything ran (busy, rate limit). One
   * whose re-run has started stays used. Returns the id of the execution that stopped, or undefined.
   */
  reopen(handle: string): string | undefined {
    const row = this.#approvedNotRerun(handle);
    if (!row) return undefined;
    this.#sql.exec("UPDATE approvals SET status = 'pending' WHERE handle = ?", handle);
    return row.execution ?? undefined;
  }

  /** An approved handle whose re-run has not started, with the id of the execution that stopped. */
  #approvedNotRerun(handle: string): { execution: string | null } | undefined {
    return this.#sql
      .exec<{ execution: string | null }>(
        "SELECT json_extract(call, '$.execution_id') AS execution FROM approvals WHERE handle = ? AND status = 'approved' AND rerun IS NULL",
        handle,
      )
      .toArray()[0];
  }

  /**
   * Drops expired handles, then the oldest beyond the count and byte caps (never the one just created). A used
   * handle keeps its parts until then, so that a re-run refused before it ran can reopen it.
   */
  #prune(keep: string): void {
    const expired = Date.now() - APPROVAL_HANDLE_TTL_MS;
    this.#sql.exec(
      `DELETE FROM approvals WHERE handle != ? AND (created_at < ?
        OR seq NOT IN (SELECT seq FROM approvals ORDER BY seq DESC LIMIT ?)
        OR seq <= (SELECT max(seq) FROM (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS total FROM approvals)
                   WHERE total > ?))`,
      keep,
      expired,
      APPROVALS_MAX,
      APPROVALS_MAX_BYTES,
    );
    this.#sql.exec("DELETE FROM approval_parts WHERE handle NOT IN (SELECT handle FROM approvals)");
  }
}
