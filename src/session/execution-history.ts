/**
 * @module session/execution-history
 * Every execution of the session (code, result, logs, tool-call trace, duration, error), kept in the session's
 * SQLite storage with a retention limit by count and by bytes: the oldest records go first.
 */
import type { ExecuteResult } from "../sandbox/execution-types";

export const HISTORY_MAX_RECORDS = 200;
export const HISTORY_MAX_BYTES = 8 * 1024 * 1024;
/** Largest stored result: bigger ones are kept as a truncated preview (the caller already saw them whole). */
const HISTORY_MAX_RESULT_CHARS = 64 * 1024;
const SUMMARY_CHARS = 200;

export interface ExecutionRecord extends ExecuteResult {
  kind: "code" | "skill";
  skill?: string;
  code: string;
  started_at: string;
}

export interface ExecutionSummary {
  execution_id: string;
  kind: "code" | "skill";
  skill?: string;
  started_at: string;
  ok: boolean;
  duration_ms: number;
  tool_call_count: number;
  summary: string;
}

function summarize(r: ExecuteResult): string {
  const text = r.ok ? (r.result === undefined ? "undefined" : JSON.stringify(r.result)) : `${r.error?.message}`;
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

export class ExecutionHistory {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS executions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT UNIQUE NOT NULL,
      record TEXT NOT NULL,
      summary TEXT NOT NULL,
      bytes INTEGER NOT NULL)`);
  }

  record(result: ExecuteResult, details: { code: string; kind: "code" | "skill"; skill?: string; startedAt: number }) {
    if (!result.execution_id) return;
    let stored: unknown = result.result;
    if (stored !== undefined) {
      const json = JSON.stringify(stored);
      if (json.length > HISTORY_MAX_RESULT_CHARS) {
        stored = `${json.slice(0, HISTORY_MAX_RESULT_CHARS)}…[truncated in history: ${json.length} bytes]`;
      }
    }
    const record: ExecutionRecord = {
      ...result,
      ...(stored === undefined ? {} : { result: stored }),
      kind: details.kind,
      ...(details.skill ? { skill: details.skill } : {}),
      code: details.code,
      started_at: new Date(details.startedAt).toISOString(),
    };
    const summary: ExecutionSummary = {
      execution_id: result.execution_id,
      kind: details.kind,
      ...(details.skill ? { skill: details.skill } : {}),
      started_at: record.started_at,
      ok: result.ok,
      duration_ms: result.duration_ms,
      tool_call_count: result.tool_calls.length,
      summary: summarize(result),
    };
    const text = JSON.stringify(record);
    this.#sql.exec(
      "INSERT OR REPLACE INTO executions (id, record, summary, bytes) VALUES (?, ?, ?, ?)",
      result.execution_id,
      text,
      JSON.stringify(summary),
      text.length,
    );
    this.#prune();
  }

  #prune(): void {
    this.#sql.exec(
      "DELETE FROM executions WHERE seq NOT IN (SELECT seq FROM executions ORDER BY seq DESC LIMIT ?)",
      HISTORY_MAX_RECORDS,
    );
    // Drop the oldest records until the rest fit the byte budget.
    const rows = this.#sql.exec<{ seq: number; bytes: number }>("SELECT seq, bytes FROM executions ORDER BY seq DESC");
    let total = 0;
    for (const row of rows) {
      total += row.bytes;
      if (total > HISTORY_MAX_BYTES) {
        this.#sql.exec("DELETE FROM executions WHERE seq <= ?", row.seq);
        break;
      }
    }
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

  /** The newest recorded execution (the previous one, seen from a running execution), for `state.last()`. */
  last(): ExecutionRecord | undefined {
    const row = this.#sql
      .exec<{ record: string }>("SELECT record FROM executions ORDER BY seq DESC LIMIT 1")
      .toArray()[0];
    return row ? (JSON.parse(row.record) as ExecutionRecord) : undefined;
  }
}
