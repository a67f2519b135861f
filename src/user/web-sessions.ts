/**
 * @module user/web-sessions
 * The user's signed-in browsers (src/web/web-auth.ts): one row per web session, in the user's own object, so
 * signing out deletes the row and the cookie stops working everywhere at once. Only a SHA-256 of the session
 * secret is stored: reading the storage does not yield a usable cookie. Each session carries its own random CSRF
 * token, which every form of that session must send back.
 */

/** How long a web session lasts from sign-in (absolute, not sliding: a stolen cookie does not live forever). */
export const WEB_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Sessions kept per user; signing in once more drops the oldest. */
export const WEB_SESSIONS_MAX = 20;

/** A session as the Worker sees it: the secret goes into the cookie, the CSRF token into forms. */
export interface WebSessionGrant {
  secret: string;
  csrf: string;
  expires_at: number;
}

export type WebSessionCheck = { ok: true; csrf: string; expires_at: number } | { ok: false };

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

async function hashSecret(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The user's web sessions (in the user object's storage). */
export class WebSessions {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS web_sessions (hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
    );
  }

  /** Starts a session: its secret is returned once and only its hash is kept. */
  async create(now = Date.now()): Promise<WebSessionGrant> {
    this.#sql.exec("DELETE FROM web_sessions WHERE expires_at <= ?", now);
    this.#sql.exec(
      "DELETE FROM web_sessions WHERE hash NOT IN (SELECT hash FROM web_sessions ORDER BY created_at DESC LIMIT ?)",
      WEB_SESSIONS_MAX - 1,
    );
    const secret = randomToken();
    const grant = { secret, csrf: randomToken(), expires_at: now + WEB_SESSION_TTL_MS };
    this.#sql.exec(
      "INSERT INTO web_sessions (hash, csrf, created_at, expires_at) VALUES (?, ?, ?, ?)",
      await hashSecret(secret),
      grant.csrf,
      now,
      grant.expires_at,
    );
    return grant;
  }

  /** Whether a cookie's secret names a live session of this user, with the session's CSRF token. */
  async check(secret: string, now = Date.now()): Promise<WebSessionCheck> {
    const row = this.#sql
      .exec<{ csrf: string; expires_at: number }>(
        "SELECT csrf, expires_at FROM web_sessions WHERE hash = ?",
        await hashSecret(secret),
      )
      .toArray()[0];
    if (!row || row.expires_at <= now) return { ok: false };
    return { ok: true, csrf: row.csrf, expires_at: row.expires_at };
  }

  /** Ends a session (sign-out); unknown secrets are ignored. */
  async end(secret: string): Promise<void> {
    this.#sql.exec("DELETE FROM web_sessions WHERE hash = ?", await hashSecret(secret));
  }
}
