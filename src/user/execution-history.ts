/**
 * @module user/execution-history
 * Every execution of the user, from any of their sessions (code, result, logs, tool-call trace, duration, error),
 * kept in the user object's SQLite storage: the newest {@link HISTORY_MAX_RECORDS} or {@link HISTORY_MAX_BYTES},
 * whichever is reached first; the oldest records go first.
 */
import type { ExecuteResult } from "../sandbox/execution-types";
import { isContextName } from "../session/context-route";
import type {
  ApprovalDecision,
  ExecutionPlace,
  ExecutionRecord,
  ExecutionStatus,
  ExecutionSummary,
  FinishedExecution,
  StartedExecution,
} from "./user-types";

export const HISTORY_MAX_RECORDS = 1_000;
export const HISTORY_MAX_BYTES = 32 * 1024 * 1024;
/** Largest stored result: bigger ones are kept as a truncated preview (the caller already saw them whole). */
export const HISTORY_MAX_RESULT_CHARS = 64 * 1024;
/** One stored record, in UTF-8 bytes: a SQLite row of a Durable Object holds at most 2 MB. */
const RECORD_MAX_BYTES = 1024 * 1024;
/** What a record over RECORD_MAX_BYTES keeps of its code, logs and tool-call trace. */
const OVERSIZE_CODE_CHARS = 256 * 1024;
const OVERSIZE_LOG_LINES = 200;
const OVERSIZE_TOOL_CALLS = 1_000;
const SUMMARY_CHARS = 200;

/** A result as the history keeps it: whole up to HISTORY_MAX_RESULT_CHARS of JSON, else a marked preview. */
export function historyResult(value: unknown): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= HISTORY_MAX_RESULT_CHARS) return value;
  return `${json.slice(0, HISTORY_MAX_RESULT_CHARS)}…[truncated in history: ${json.length} bytes]`;
}

/**
 * The part of a result worth sending to the history: its preview and the start of a huge trace or log. The
 * caller has the whole result; this keeps the round trip to the user object small (an RPC message is limited
 * to 32 MiB).
 */
export function forHistory(result: ExecuteResult): ExecuteResult {
  const value = historyResult(result.result);
  return {
    ...result,
    ...(value === undefined ? {} : { result: value }),
    logs: result.logs.length > OVERSIZE_LOG_LINES * 10 ? result.logs.slice(0, OVERSIZE_LOG_LINES * 10) : result.logs,
    tool_calls: result.tool_calls.slice(0, OVERSIZE_TOOL_CALLS * 10),
  };
}

function summarize(r: FinishedExecution["result"]): string {
  const text = r.ok ? (r.result === undefined ? "undefined" : JSON.stringify(r.result)) : `${r.error?.message}`;
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

/** How a finished execution ended, as the history files it (and the dashboard filters it). */
export function statusOf(result: Pick<ExecutionRecord, "ok" | "status" | "error">): ExecutionStatus {
  if (result.ok) return "ok";
  if (result.status === "approval_required" || result.status === "approved" || result.status === "denied") {
    return result.status;
  }
  return result.error?.kind === "cancelled" ? "cancelled" : "error";
}

/** What became of a stopped execution once the user answered its handle: its summary in list_executions. */
export function decisionText(d: ApprovalDecision): string {
  const outcome =
    d.decision === "denied"
      ? "the execution is cancelled"
      : d.rerun
        ? `its re-run is execution ${d.rerun}`
        : "its re-run has not started yet";
  return `${d.decision} by ${d.by} at ${d.at}; ${outcome}`;
}

/** A record with the user's answer to its handle: the waiting call, the status and the error say what became of it. */
function decided(record: ExecutionRecord, d: ApprovalDecision): ExecutionRecord {
  const waiting = record.approval ?? record.authorization;
  if (!waiting) return record;
  const call = `${waiting.server}.${waiting.tool} needed ${record.approval ? "approval" : "a sign-in"}`;
  return {
    ...record,
    ...(record.status === "approval_required" ? { status: d.decision } : {}),
    ...(record.approval ? { approval: { ...record.approval, ...d } } : {}),
    ...(record.authorization ? { authorization: { ...record.authorization, ...d } } : {}),
    ...(record.error ? { error: { ...record.error, message: `${call}: ${decisionText(d)}` } } : {}),
  };
}

/** What get_execution says of an execution whose session stopped renewing its slot without recording an end. */
const LOST_MESSAGE =
  "the session running this execution stopped (evicted or crashed) before recording its end; its outcome is unknown, and calls it made may or may not have taken effect";

/** One page of the history, newest first; `next` is the cursor of the following page. */
export interface ExecutionPage {
  executions: ExecutionSummary[];
  next?: number;
}

/** A 2025-11-25 session id: the gateway mints base64url (older sessions have the SDK's UUIDs). */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Where an execution ran, read from the session object it ran in (`<user>:<session or context>`, stored with
 * every record since the first): a context by its name, a session by its id; nothing for other objects (the
 * dashboard's `~dashboard`). Neither ids nor context names contain `:`, user ids may.
 */
export function placeOf(object: string): ExecutionPlace {
  const id = object.slice(object.lastIndexOf(":") + 1);
  if (isContextName(id)) return { context: id };
  return SESSION_ID.test(id) ? { session: id } : {};
}

/** Runs of one skill version in the history. */
export interface SkillRuns {
  skill: string;
  runs: number;
  last: ExecutionSummary;
}

const bytesOf = (text: string) => new TextEncoder().encode(text).byteLength;

/** The record's JSON within RECORD_MAX_BYTES: an oversized one keeps the start of its code, logs and trace. */
function fit(record: ExecutionRecord): string {
  const text = JSON.stringify(record);
  if (text.length <= RECORD_MAX_BYTES / 3 || bytesOf(text) <= RECORD_MAX_BYTES) return text;
  const cut: ExecutionRecord = {
    ...record,
    code:
      record.code.length > OVERSIZE_CODE_CHARS
        ? `${record.code.slice(0, OVERSIZE_CODE_CHARS)}\n/* …[truncated in history: ${record.code.length} characters] */`
        : record.code,
    logs: record.logs.length > OVERSIZE_LOG_LINES ? record.logs.slice(0, OVERSIZE_LOG_LINES) : record.logs,
    tool_calls: record.tool_calls.slice(0, OVERSIZE_TOOL_CALLS),
  };
  const smaller = JSON.stringify(cut);
  if (bytesOf(smaller) <= RECORD_MAX_BYTES) return smaller;
  // Multi-byte text everywhere: keep only what identifies the execution and how it ended.
  return JSON.stringify({ ...cut, code: cut.code.slice(0, 1_000), logs: [], result: "[too large for the history]" });
}

function withStatus(row: { summary: string; status: string; session: string; approval: string | null }) {
  const summary = JSON.parse(row.summary) as ExecutionSummary;
  if (row.approval) summary.summary = decisionText(JSON.parse(row.approval) as ApprovalDecision);
  return { ...summary, ...(row.status ? { status: row.status as ExecutionStatus } : {}), ...placeOf(row.session) };
}

/** The user's history table (in the user object's storage). */
export class ExecutionHistory {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS executions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT UNIQUE NOT NULL,
      session TEXT NOT NULL,
      record TEXT NOT NULL,
      summary TEXT NOT NULL,
      bytes INTEGER NOT NULL)`);
    // Added with the dashboard: records listed while they run, filtered by how they ended.
    try {
      sql.exec("ALTER TABLE executions ADD COLUMN status TEXT NOT NULL DEFAULT ''");
      sql.exec("ALTER TABLE executions ADD COLUMN lease TEXT");
      sql.exec(
        "UPDATE executions SET status = CASE WHEN json_extract(summary, '$.ok') THEN 'ok' ELSE 'error' END WHERE status = ''",
      );
    } catch {
      // The columns exist already.
    }
    // Added with decisions on records: how the user answered the execution's approval handle (ApprovalDecision).
    try {
      sql.exec("ALTER TABLE executions ADD COLUMN approval TEXT");
    } catch {
      // The column exists already.
    }
    sql.exec("CREATE INDEX IF NOT EXISTS executions_status ON executions (status, seq)");
    // The caps read only seq and bytes. Without this index SQLite read them from the rows, past each record's text
    // (up to 1 MB, in overflow pages), so every execution's end read the whole history (up to 32 MB): a trivial
    // execute_code took 23-26 ms at 60 records of 64 kB and 34-41 ms at 360 (bench/scenarios/execute-overhead.ts
    // measures it at 400 records of 50 kB). Covered here, the caps never touch the rows.
    sql.exec("CREATE INDEX IF NOT EXISTS executions_seq_bytes ON executions (seq, bytes)");
  }

  /** Lists an execution as running from its start; its end (record) completes the same row. */
  start(run: StartedExecution): void {
    const started_at = new Date(run.startedAt).toISOString();
    const skill = run.skill ? { skill: run.skill } : {};
    const record: ExecutionRecord = {
      ok: false,
      running: true,
      execution_id: run.execution_id,
      logs: [],
      tool_calls: [],
      duration_ms: 0,
      kind: run.kind,
      ...skill,
      code: run.code,
      started_at,
    };
    const summary: ExecutionSummary = {
      execution_id: run.execution_id,
      kind: run.kind,
      ...skill,
      started_at,
      ok: false,
      status: "running",
      duration_ms: 0,
      tool_call_count: 0,
      summary: "running",
    };
    const text = fit(record);
    const summaryText = JSON.stringify(summary);
    // OR IGNORE: a start that arrives after the end (both are messages from the session) changes nothing.
    this.#sql.exec(
      "INSERT OR IGNORE INTO executions (id, session, record, summary, bytes, status, lease) VALUES (?, ?, ?, ?, ?, 'running', ?)",
      run.execution_id,
      run.session,
      text,
      summaryText,
      bytesOf(text) + bytesOf(summaryText),
      run.lease,
    );
    // No pruning here: the record at the end prunes (a running row is small, and a start must stay cheap).
  }

  /** Files running executions whose lease is gone (no end will come) as `lost`. */
  markLost(liveLeases: readonly string[]): void {
    const running = this.#sql
      .exec<{ id: string; lease: string | null }>("SELECT id, lease FROM executions WHERE status = 'running'")
      .toArray();
    const live = new Set(liveLeases);
    for (const row of running) {
      if (row.lease === null || !live.has(row.lease)) {
        this.#sql.exec("UPDATE executions SET status = 'lost', lease = NULL WHERE id = ?", row.id);
      }
    }
  }

  /** Records one finished execution (refused ones have no id and are not recorded), then applies the caps. */
  record(session: string, run: FinishedExecution): void {
    const { result } = run;
    if (!result.execution_id) return;
    const stored = historyResult(result.result);
    const record: ExecutionRecord = {
      ...result,
      ...(stored === undefined ? {} : { result: stored }),
      kind: run.kind,
      ...(run.skill ? { skill: run.skill } : {}),
      code: run.code,
      started_at: new Date(run.startedAt).toISOString(),
    };
    const summary: ExecutionSummary = {
      execution_id: result.execution_id,
      kind: run.kind,
      ...(run.skill ? { skill: run.skill } : {}),
      started_at: record.started_at,
      ok: result.ok,
      duration_ms: result.duration_ms,
      tool_call_count: result.tool_calls.length,
      summary: summarize(result),
      status: statusOf(result),
    };
    const text = fit(record);
    const summaryText = JSON.stringify(summary);
    const bytes = bytesOf(text) + bytesOf(summaryText);
    // A started execution keeps its row (and its place in the order); one never listed as running gets a new row.
    const updated = this.#sql.exec(
      "UPDATE executions SET record = ?, summary = ?, bytes = ?, status = ?, lease = NULL WHERE id = ? AND session = ?",
      text,
      summaryText,
      bytes,
      summary.status!,
      result.execution_id,
      session,
    ).rowsWritten;
    if (updated === 0) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO executions (id, session, record, summary, bytes, status) VALUES (?, ?, ?, ?, ?, ?)",
        result.execution_id,
        session,
        text,
        summaryText,
        bytes,
        summary.status!,
      );
    }
    this.#prune();
  }

  #prune(): void {
    // Most records change nothing: one pass over the covering index says whether a cap is passed.
    const { n, total } = this.#sql
      .exec<{ n: number; total: number }>("SELECT count(*) AS n, coalesce(sum(bytes), 0) AS total FROM executions")
      .one();
    if (n > HISTORY_MAX_RECORDS) {
      this.#sql.exec(
        "DELETE FROM executions WHERE seq IN (SELECT seq FROM executions ORDER BY seq LIMIT ?)",
        n - HISTORY_MAX_RECORDS,
      );
    }
    if (total <= HISTORY_MAX_BYTES) return;
    // The newest record whose running total (newest first) passes the byte budget, and everything older, go.
    this.#sql.exec(
      `DELETE FROM executions WHERE seq <= (
        SELECT max(seq) FROM (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS total FROM executions)
        WHERE total > ?)`,
      HISTORY_MAX_BYTES,
    );
  }

  list(limit: number): ExecutionSummary[] {
    return this.page({ limit }).executions;
  }

  /** Newest first, `limit` per page, optionally only one status; `before` is the `next` of the previous page. */
  page(query: { limit: number; status?: ExecutionStatus; before?: number }): ExecutionPage {
    const { limit, status, before } = query;
    const rows = this.#sql
      .exec<{ seq: number; session: string; summary: string; status: string; approval: string | null }>(
        `SELECT seq, session, summary, status, approval FROM executions
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3`,
        status ?? null,
        before ?? null,
        limit + 1,
      )
      .toArray();
    const executions = rows.slice(0, limit).map((r) => withStatus(r));
    return { executions, ...(rows.length > limit ? { next: rows[limit - 1]!.seq } : {}) };
  }

  get(id: string): ExecutionRecord | undefined {
    const row = this.#sql
      .exec<{ record: string; status: string; approval: string | null; session: string }>(
        "SELECT record, status, approval, session FROM executions WHERE id = ?",
        id,
      )
      .toArray()[0];
    if (!row) return undefined;
    const record: ExecutionRecord = { ...(JSON.parse(row.record) as ExecutionRecord), ...placeOf(row.session) };
    if (row.approval) return decided(record, JSON.parse(row.approval) as ApprovalDecision);
    if (row.status !== "lost") return record;
    const { running: _, ...ended } = record;
    return { ...ended, error: { kind: "internal", message: LOST_MESSAGE } };
  }

  /**
   * Keeps the user's answer to a stopped execution's handle on its record (a small column beside the record, so
   * the record itself is never rewritten); `null` forgets it (the handle was given back). An execution waiting
   * for approval is filed as approved or denied from then on.
   */
  decide(id: string, decision: ApprovalDecision | null): void {
    this.#sql.exec(
      `UPDATE executions SET approval = ?1, status = CASE
         WHEN ?2 IS NULL AND status IN ('approved', 'denied') THEN 'approval_required'
         WHEN ?2 IS NOT NULL AND status = 'approval_required' THEN ?2
         ELSE status END
       WHERE id = ?3`,
      decision ? JSON.stringify(decision) : null,
      decision?.decision ?? null,
      id,
    );
  }

  /** Names the execution that re-runs an approved one on the approved one's record. */
  noteRerun(id: string, rerun: string): void {
    this.#sql.exec(
      "UPDATE executions SET approval = json_set(approval, '$.rerun', ?) WHERE id = ? AND json_extract(approval, '$.decision') = 'approved'",
      rerun,
      id,
    );
  }

  /** The session object an execution ran in (where a running one can be watched). */
  sessionOf(id: string): string | undefined {
    return this.#sql.exec<{ session: string }>("SELECT session FROM executions WHERE id = ?", id).toArray()[0]?.session;
  }

  /** Run counts and the last run of every skill version in the history. */
  skillRuns(): SkillRuns[] {
    return this.#sql
      .exec<{ skill: string; runs: number; summary: string; status: string; session: string; approval: string | null }>(
        `SELECT e.skill, e.runs, x.summary, x.status, x.session, x.approval FROM
           (SELECT json_extract(summary, '$.skill') AS skill, count(*) AS runs, max(seq) AS last
            FROM executions WHERE json_extract(summary, '$.skill') IS NOT NULL GROUP BY 1) e
         JOIN executions x ON x.seq = e.last`,
      )
      .toArray()
      .map((r) => {
        return { skill: r.skill, runs: r.runs, last: withStatus(r) };
      });
  }
}
