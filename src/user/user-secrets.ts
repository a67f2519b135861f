/**
 * @module user/user-secrets
 * The user's own secrets (API tokens their servers' headers reference as `${secret:NAME}`), in the user object's
 * SQLite storage, each sealed with CONNECTIONS_KEY (src/user/connections-key.ts) and bound to the user and its
 * name. Write-only: the RPC lists names, update times and allowed hosts; values are read only on the host, to build
 * headers. Each secret goes only to the hosts the user gave when storing it (src/user/secret-hosts.ts). There is no
 * trust on first use: the first server to use a secret may be one a prompt-injected `add_server` named.
 */
import { type ConnectionsKeys, seal, sealContext, unseal } from "./connections-key";
import { FIELD_VALUE_CONTROL, SECRET_NAME } from "./header-templates";
import { secretHostRefusal, secretHostsRequired } from "./secret-hosts";

/** Most secrets one user may store. */
export const MAX_SECRETS = 100;
/** Longest secret value, in characters. */
export const MAX_SECRET_CHARS = 8_192;

/** One stored secret as listed: never its value. */
export interface SecretSummary {
  name: string;
  updated_at: string;
  /** Hosts the secret may be sent to; empty (none) only for a secret stored before hosts were required. */
  hosts: string[];
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
    // Objects created before secrets were bound to hosts lack the column; their secrets bind on their next use.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(user_secrets)").toArray();
    if (!columns.some((c) => c.name === "hosts")) {
      sql.exec("ALTER TABLE user_secrets ADD COLUMN hosts TEXT NOT NULL DEFAULT '[]'");
    }
  }

  #aad(name: string): string {
    return sealContext(this.#owner, "secret", name);
  }

  /**
   * Stores (or replaces) a secret; a string is why not. A new secret needs `hosts`; a replaced one keeps its own
   * unless `hosts` replaces them. An empty value with `hosts` changes only the hosts of a stored secret.
   */
  async set(
    keys: ConnectionsKeys,
    name: string,
    value: string,
    hosts?: readonly string[],
  ): Promise<string | undefined> {
    const bad = checkSecretName(name);
    if (bad) return bad;
    const exists = this.has(name);
    if (value === "" && hosts && exists) {
      this.#sql.exec("UPDATE user_secrets SET hosts = ? WHERE name = ?", JSON.stringify(hosts), name);
      return undefined;
    }
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_SECRET_CHARS) {
      return `secret ${name}: the value must be 1 to ${MAX_SECRET_CHARS} characters`;
    }
    // Secrets go into header values (`${secret:NAME}`): a control character would break the connection later.
    if (FIELD_VALUE_CONTROL.test(value)) {
      return `secret ${name}: the value must not contain line breaks or control characters (tab is allowed)`;
    }
    if (!exists && !hosts?.length) return secretHostsRequired(name);
    const count = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM user_secrets").one().n;
    if (!exists && count >= MAX_SECRETS) return `you hold ${MAX_SECRETS} secrets already; delete one first`;
    const sealed = await seal(keys, value, this.#aad(name));
    this.#sql.exec(
      "INSERT INTO user_secrets (name, sealed, updated_at, hosts) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at" +
        (hosts ? ", hosts = excluded.hosts" : ""),
      name,
      sealed,
      Date.now(),
      JSON.stringify(hosts ?? []),
    );
    return undefined;
  }

  /** The hosts of each stored secret among `names` (a Map: names are data); missing secrets are left out. */
  #hosts(names: Iterable<string>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const name of new Set(names)) {
      const row = this.#sql.exec<{ hosts: string }>("SELECT hosts FROM user_secrets WHERE name = ?", name).toArray()[0];
      if (row) out.set(name, JSON.parse(row.hosts) as string[]);
    }
    return out;
  }

  /**
   * Why the stored secrets among `names` may not go to `host` (not among their hosts, or they have none), or
   * undefined. Secrets not stored are left to the caller (they resolve to "not set").
   */
  refusal(names: Iterable<string>, host: string): string | undefined {
    for (const [name, hosts] of this.#hosts(names)) {
      if (!hosts.includes(host)) return secretHostRefusal(name, hosts, host);
    }
    return undefined;
  }

  delete(name: string): boolean {
    return this.#sql.exec("DELETE FROM user_secrets WHERE name = ? RETURNING name", name).toArray().length > 0;
  }

  list(): SecretSummary[] {
    return this.#sql
      .exec<{
        name: string;
        updated_at: number;
        hosts: string;
      }>("SELECT name, updated_at, hosts FROM user_secrets ORDER BY name")
      .toArray()
      .map((r) => ({
        name: r.name,
        updated_at: new Date(r.updated_at).toISOString(),
        hosts: JSON.parse(r.hosts) as string[],
      }));
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
