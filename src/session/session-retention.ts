/**
 * @module session/session-retention
 * How long an MCP session's or a 2026-07-28 context's object keeps its storage (its `state`, carried variables,
 * last result) once nobody uses it. Clients rarely end their sessions (the Inspector CLI opens one per call and
 * never sends DELETE), and agents start a context per task (`context: "new"`) and never delete it, so without this
 * every session and context ever started would keep up to tens of MB for good. The object's alarm deletes its
 * storage `limits.session_idle_retention_ms` after the last request ended; every request moves the alarm later. A session
 * that is gone answers 404, and MCP clients then start a new one. A context that is gone is taken off its user's list
 * (src/user/user-contexts.ts) and its id is refused as unknown, saying why; `default` simply starts afresh.
 */

import type { SessionMeta } from "./session-meta";

/** Extra time on each move of the alarm, as a share of the retention: a request writes the alarm only this often. */
const SLACK = 0.1;
/** When the alarm finds an execution still running, it looks again after this long. */
export const BUSY_RETRY_MS = 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** What a request for an execution of a session or context whose storage expired gets. */
export const EXPIRED_SESSION =
  "the session or context this execution ran in is gone (its storage expired after limits.session_idle_retention_ms without a request): run the code again";

/** What the object lets go of when its storage expires. */
export interface Expiry {
  /** What it holds in memory for the session or context, before the storage goes. */
  release(): Promise<void>;
  /** Takes an expired context off its user's list. */
  forgetContext(meta: SessionMeta): Promise<void>;
}

/** The retention as people read it: "30 days", or for the short ones tests use, "5 seconds". */
export function retentionText(ms: number): string {
  const units: Array<[string, number]> = [
    ["day", DAY_MS],
    ["hour", 60 * 60_000],
    ["minute", 60_000],
  ];
  const [unit, size] = units.find(([, size]) => ms >= size) ?? ["second", 1_000];
  const n = Math.round((ms / size) * 10) / 10;
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export class SessionRetention {
  readonly #storage: DurableObjectStorage;
  readonly #retentionMs: () => number;
  /** The alarm as last read or written here (undefined: not read yet; null: none set). */
  #alarmAt: number | null | undefined;
  /** When this instance last saw a request start or end (undefined: none since it started). */
  #touchedAt: number | undefined;
  /** Requests begun and not ended (their response's body not yet read to its end): the object is in use. */
  #requests = 0;

  constructor(storage: DurableObjectStorage, retentionMs: () => number) {
    this.#storage = storage;
    this.#retentionMs = retentionMs;
  }

  /**
   * A request came for the object's session or context: the storage stays at least the retention from now. The
   * alarm is written only when it would fire sooner than that, and then set `SLACK` further, so busy objects write
   * it at most once per tenth of the retention, and deletion comes between one and 1.1 retentions after the last
   * request.
   */
  async touch(): Promise<void> {
    const retentionMs = this.#retentionMs();
    const now = Date.now();
    this.#touchedAt = now;
    if (this.#alarmAt === undefined) this.#alarmAt = await this.#storage.getAlarm();
    if (this.#alarmAt !== null && this.#alarmAt >= now + retentionMs) return;
    this.#alarmAt = now + Math.ceil(retentionMs * (1 + SLACK));
    await this.#storage.setAlarm(this.#alarmAt);
  }

  /**
   * A request began (whether or not it is for a live session: the object touches for those itself). Until the
   * returned `end` runs, the object counts as in use; then, if its storage is kept (an alarm is set), it touches
   * again, so the retention counts from a request's end, not its start. A request longer than the retention once
   * had its storage deleted under it, and one ending just before the alarm had it deleted 0.1 s after.
   */
  begin(): () => void {
    this.#requests++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#requests--;
      // No alarm (never touched, or expired): nothing is stored, and touching would store an alarm.
      if (typeof this.#alarmAt !== "number") return;
      this.touch().catch((err) => console.warn(`moving the retention alarm failed: ${(err as Error).message}`));
    };
  }

  /**
   * The object's alarm: deletes the storage of its session or context, unless an execution still runs or waits
   * (`busy`: then it looks again later). An expired context then leaves its user's list; that is bookkeeping, so a
   * failure there is logged and the expiry stands (the list's own cap bounds what it keeps).
   */
  async alarm(meta: SessionMeta | undefined, busy: boolean, expiry: Expiry): Promise<void> {
    if (!meta) return;
    if (busy) return this.#retryLater();
    // A request still running, or one that started or ended within the retention, keeps the storage: the alarm moves
    // to a retention after it (a running one touches again when it ends).
    const retentionMs = this.#retentionMs();
    if (this.#requests > 0) this.#touchedAt = Date.now();
    if (this.#touchedAt !== undefined && Date.now() - this.#touchedAt < retentionMs) {
      this.#alarmAt = this.#touchedAt + Math.ceil(retentionMs * (1 + SLACK));
      return this.#storage.setAlarm(this.#alarmAt);
    }
    await expiry.release();
    await this.#expire();
    if (meta.kind !== "context") return;
    try {
      await expiry.forgetContext(meta);
    } catch (err) {
      console.warn(`forgetting expired context ${meta.session} failed: ${(err as Error).message}`);
    }
  }

  async #retryLater(): Promise<void> {
    this.#alarmAt = Date.now() + BUSY_RETRY_MS;
    await this.#storage.setAlarm(this.#alarmAt);
  }

  /** Deletes everything the object stored, the alarm included. */
  async #expire(): Promise<void> {
    this.#alarmAt = null;
    await this.#storage.deleteAll();
  }
}
