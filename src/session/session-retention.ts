/**
 * @module session/session-retention
 * How long an MCP session's object keeps its storage (its `state`, carried variables, last result) once nobody uses
 * it. Clients rarely end their sessions (the Inspector CLI opens one per call and never sends DELETE), so without
 * this every session ever opened would keep up to tens of MB for good. The object's alarm deletes its storage
 * `limits.session_idle_retention_ms` after the last request; every request moves the alarm later. A session that
 * is gone answers 404, and MCP clients then start a new one. Contexts (2026-07-28) are the user's, listed in the user
 * object, and are not expired here.
 */

import type { SessionMeta } from "./session-meta";

/** Extra time on each move of the alarm, as a share of the retention: a request writes the alarm only this often. */
const SLACK = 0.1;
/** When the alarm finds an execution still running, it looks again after this long. */
export const BUSY_RETRY_MS = 60_000;

/** What a request for an execution of a session whose storage expired gets. */
export const EXPIRED_SESSION =
  "the session this execution ran in is gone (its storage expired after limits.session_idle_retention_ms without a request): run the code again";

export class SessionRetention {
  readonly #storage: DurableObjectStorage;
  readonly #retentionMs: () => number;
  /** The alarm as last read or written here (undefined: not read yet; null: none set). */
  #alarmAt: number | null | undefined;

  constructor(storage: DurableObjectStorage, retentionMs: () => number) {
    this.#storage = storage;
    this.#retentionMs = retentionMs;
  }

  /** A request for `meta`'s session (a context keeps its storage: nothing to do). */
  touchSession(meta: SessionMeta): Promise<void> {
    return meta.kind === "context" ? Promise.resolve() : this.touch(this.#retentionMs());
  }

  /**
   * The object's alarm: deletes a session's storage, unless an execution still runs (`busy`: then it looks again
   * later). `release` first lets go of what the object holds in memory.
   */
  async alarm(meta: SessionMeta | undefined, busy: boolean, release: () => Promise<void>): Promise<void> {
    if (!meta || meta.kind === "context") return;
    if (busy) return this.retryLater();
    await release();
    await this.expire();
  }

  /**
   * A request came: the storage stays at least `retentionMs` from now. The alarm is written only when it would
   * fire sooner than that, and then set `SLACK` further, so busy sessions write it at most once per tenth of the
   * retention, and deletion comes between one and 1.1 retentions after the last request.
   */
  async touch(retentionMs: number): Promise<void> {
    const now = Date.now();
    if (this.#alarmAt === undefined) this.#alarmAt = await this.#storage.getAlarm();
    if (this.#alarmAt !== null && this.#alarmAt >= now + retentionMs) return;
    this.#alarmAt = now + Math.ceil(retentionMs * (1 + SLACK));
    await this.#storage.setAlarm(this.#alarmAt);
  }

  /** The alarm fired while an execution ran: look again later. */
  async retryLater(): Promise<void> {
    this.#alarmAt = Date.now() + BUSY_RETRY_MS;
    await this.#storage.setAlarm(this.#alarmAt);
  }

  /** Deletes everything the object stored, the alarm included. */
  async expire(): Promise<void> {
    this.#alarmAt = null;
    await this.#storage.deleteAll();
  }
}
