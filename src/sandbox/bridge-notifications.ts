/**
 * @module sandbox/bridge-notifications
 * Reads one batch of the sandbox's live notifications (worker-loader/notify-queue.js): console lines, progress
 * values, tool calls it refused without sending them, and its count of what it dropped over the budget. The batch
 * crossed from code we do not trust, so every field is checked and capped here; anything malformed is skipped.
 */
import type { ConsoleMethod, ExecutionEvent } from "./execution-events";

/** Most events one batch may carry (the sandbox sends at most 500 plus its refusal kinds and the final two). */
export const MAX_BATCH_EVENTS = 1_000;
const MAX_LINE_CHARS = 10_000;
const MAX_MESSAGE_CHARS = 1_000;
const MAX_NAME_CHARS = 512;
const MAX_ERROR_CHARS = 1_000;
const LEVELS = new Set(["debug", "info", "warning", "error"]);
const CONSOLE_METHODS = new Set<string>(["log", "info", "warn", "error", "debug"] satisfies ConsoleMethod[]);

/** A tool call (or `count` identical ones) the sandbox refused before it crossed the bridge. */
export interface RefusedCalls {
  server: string;
  tool: string;
  error: string;
  count: number;
}

export type NotificationBatch =
  | { ok: true; events: ExecutionEvent[]; refused: RefusedCalls[] }
  | { ok: false; error: string };

const text = (value: unknown, max: number): string | undefined =>
  typeof value === "string" ? value.slice(0, max) : undefined;

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;

function toEvent(raw: Record<string, unknown>): ExecutionEvent | RefusedCalls | undefined {
  switch (raw.type) {
    case "log": {
      const line = text(raw.line, MAX_LINE_CHARS);
      if (line === undefined) return undefined;
      const level = LEVELS.has(String(raw.level)) ? (raw.level as "info") : "info";
      const method = CONSOLE_METHODS.has(String(raw.method)) ? (raw.method as ConsoleMethod) : undefined;
      return { type: "log", level, line, ...(method ? { method } : {}) };
    }
    case "progress": {
      const current = typeof raw.current === "number" && Number.isFinite(raw.current) ? raw.current : 0;
      const total = typeof raw.total === "number" && Number.isFinite(raw.total) ? raw.total : undefined;
      const message = text(raw.message, MAX_MESSAGE_CHARS);
      return {
        type: "progress",
        current,
        ...(total === undefined ? {} : { total }),
        ...(message === undefined ? {} : { message }),
      };
    }
    case "refused": {
      const server = text(raw.server, MAX_NAME_CHARS);
      const tool = text(raw.tool, MAX_NAME_CHARS);
      const error = text(raw.error, MAX_ERROR_CHARS);
      const n = count(raw.count);
      if (server === undefined || tool === undefined || error === undefined || n === undefined) return undefined;
      return { server, tool, error, count: n };
    }
    case "dropped": {
      const events = count(raw.events);
      const bytes = count(raw.bytes);
      if (events === undefined || bytes === undefined) return undefined;
      return { type: "dropped", events, bytes };
    }
    default:
      return undefined;
  }
}

/** Parses `{ events: [...] }`, refusing a batch over `maxChars` or MAX_BATCH_EVENTS before reading it. */
export function parseNotificationBatch(json: string, maxChars: number): NotificationBatch {
  if (json.length > maxChars) return { ok: false, error: `notification batch of ${json.length} characters refused` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, error: "malformed notification batch" };
  }
  const list = (parsed as { events?: unknown } | null)?.events;
  if (!Array.isArray(list) || list.length > MAX_BATCH_EVENTS)
    return { ok: false, error: "malformed notification batch" };
  const events: ExecutionEvent[] = [];
  const refused: RefusedCalls[] = [];
  for (const raw of list) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) continue;
    const item = toEvent(raw as Record<string, unknown>);
    if (item === undefined) continue;
    if ("type" in item) events.push(item);
    else refused.push(item);
  }
  return { ok: true, events, refused };
}
