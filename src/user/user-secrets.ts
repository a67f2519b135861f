/**
 * @module user/user-secrets
 * The user's own secrets (API tokens their servers' headers reference as `${secret:NAME}`), in the user object's
 * SQLite storage, each sealed with CONNECTIONS_KEY (src/user/connections-key.ts) and bound to the user and its
 * name. Write-only: the RPC lists names and update times; values are read only on the host, to build headers.
 */
import { type ConnectionsKeys, seal, sealContext, unseal } from "./connections-key";
import { FIELD_VALUE_CONTROL, SECRET_NAME } from "./header-templates";

/** Most secrets one user may store. */
export const MAX_SECRETS = 100;
/** Longest secret value, in characters. */
export const MAX_SECRET_CHARS = 8_192;

/** One stored secret as listed: never its value. */
export interface SecretSummary {
  name: string;
  updated_at: string;
}

/** Checks a secret name; the error says what names look like. */
export function checkSecretName(name: unknown): string | undefined {
  return typeof name === "string" && SECRET_NAME.test(name)
    ? undefined
    : `secret name ${JSON.stringify(String(name).slice(0, 80))} is invalid: use letters, digits and '_', starting with a letter or '_', at most 64`;
}

export class UserSecrets {
  #sql: SqlStorage;
  /** Who the sealed values are bound to (the user object's id). */
  #owner: string;

  constructor(sql: SqlStorage, owner: string) {
    this.#sql = sql;
    this.#owner = owner;
    sql.exec(`CREATE TABLE IF NOT EXISTS user_secrets (
      name TEXT PRIMARY KEY, sealed TEXT NOT NULL, updated_at INTEGER NOT NULL)`);
  }

  #aad(name: string): string {
    return sealContext(this.#owner, "secret", name);
  }

  /** Stores (or replaces) a secret; a string is why not. */
  async set(keys: ConnectionsKeys, name: string, value: string): Promise<string | undefined> {
    const bad = checkSecretName(name);
    if (bad) return bad;
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_SECRET_CHARS) {
      return `secret ${name}: the value must be 1 to ${MAX_SECRET_CHARS} characters`;
    }
    // Secrets go into header values (`${secret:NAME}`): a control character would break the connection later.
    if (FIELD_VALUE_CONTROL.test(value)) {
      return `secret ${name}: the value must not contain line breaks or control characters (tab is allowed)`;
    }
    const exists = this.#sql.exec("SELECT 1 FROM user_secrets WHERE name = ?", name).toArray().length > 0;
    const count = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM user_secrets").one().n;
    if (!exists && count >= MAX_SECRETS) return `you hold ${MAX_SECRETS} secrets already; delete one first`;
    const sealed = await seal(keys, value, this.#aad(name));
    this.#sql.exec(
      "INSERT INTO user_secrets (name, sealed, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
      name,
      sealed,
      Date.now(),
    );
    return undefined;
  }

  delete(name: string): boolean {
    return this.#sql.exec("DELETE FROM user_secrets WHERE name = ? RETURNING name", name).toArray().length > 0;
  }

  list(): SecretSummary[] {
    return this.#sql
      .exec<{ name: string; updated_at: number }>("SELECT name, updated_at FROM user_secrets ORDER BY name")
      .toArray()
      .map((r) => ({ name: r.name, updated_at: new Date(r.updated_at).toISOString() }));
  }

  has(name: string): boolean {
    return this.#sql.exec("SELECT 1 FROM user_secrets WHERE name = ?", name).toArray().length > 0;
  }

  /** The values of the named secrets that exist (a Map: names are data). */
  async values(keys: ConnectionsKeys, names: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const name of new Set(names)) {
      const row = this.#sql
        .exec<{ sealed: string }>("SELECT sealed FROM user_secrets WHERE name = ?", name)
        .toArray()[0];
      if (row) out.set(name, await unseal(keys, row.sealed, this.#aad(name)));
    }
    return out;
  }
}
