/**
 * @module user/execution-history
 * Every execution of the user, from any of their sessions (code, result, logs, tool-call trace, duration, error),
 * kept in the user object's SQLite storage: the newest {@link HISTORY_MAX_RECORDS} or {@link HISTORY_MAX_BYTES},
 * whichever is reached first; the oldest records go first.
 */
import type { ExecuteResult } from "../sandbox/execution-types";
import type { ExecutionRecord, ExecutionSummary, FinishedExecution } from "./user-types";

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
    };
    const text = fit(record);
    const summaryText = JSON.stringify(summary);
    this.#sql.exec(
      "INSERT OR REPLACE INTO executions (id, session, record, summary, bytes) VALUES (?, ?, ?, ?, ?)",
      result.execution_id,
      session,
      text,
      summaryText,
      bytesOf(text) + bytesOf(summaryText),
    );
    this.#prune();
  }

  #prune(): void {
    this.#sql.exec(
      "DELETE FROM executions WHERE seq NOT IN (SELECT seq FROM executions ORDER BY seq DESC LIMIT ?)",
      HISTORY_MAX_RECORDS,
    );
    // The newest record whose running total (newest first) passes the byte budget, and everything older, go.
    this.#sql.exec(
      `DELETE FROM executions WHERE seq <= (
        SELECT max(seq) FROM (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS total FROM executions)
        WHERE total > ?)`,
      HISTORY_MAX_BYTES,
    );
  }

  list(limit: number): ExecutionSummary[] {
    return this.#sql
      .exec<{ summary: string }>("SELECT summary FROM executions ORDER BY seq DESC LIMIT ?", limit)
      .toArray()
      .map((r) => JSON.parse(r.summary) as ExecutionSummary);
  }

  get(id: string): ExecutionRecord | undefined {
    const row = this.#sql.exec<{ record: string }>("SELECT record FROM executions WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.record) as ExecutionRecord) : undefined;
  }
}
