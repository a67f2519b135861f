/**
 * @module skills/skill-store
 * Skills saved by agents: one SQLite Durable Object per user, so every session of that user sees them and no
 * other user does. Versions are immutable rows; a save appends version n+1; delete removes every version.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { SkillVersion } from "./skill-types";

export const MAX_SKILLS_PER_USER = 500;
export const MAX_VERSIONS_PER_SKILL = 100;

export class SkillStore extends DurableObject<Env> {
  #sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS skills (
      name TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (name, version))`);
  }

  /** Appends a new version and returns it. */
  async save(skill: Omit<SkillVersion, "version" | "created_at">): Promise<SkillVersion> {
    const row = this.#sql
      .exec<{ latest: number | null; count: number }>(
        "SELECT max(version) AS latest, count(*) AS count FROM skills WHERE name = ?",
        skill.name,
      )
      .one();
    if (row.latest === null) {
      const names = this.#sql.exec<{ n: number }>("SELECT count(DISTINCT name) AS n FROM skills").one().n;
      if (names >= MAX_SKILLS_PER_USER) throw new Error(`you have ${names} skills, the limit; delete some first`);
    } else if (row.count >= MAX_VERSIONS_PER_SKILL) {
      throw new Error(`${skill.name} has ${row.count} versions, the limit; delete it and save it anew`);
    }
    const now = Date.now();
    const saved: SkillVersion = { ...skill, version: (row.latest ?? 0) + 1, created_at: new Date(now).toISOString() };
    this.#sql.exec(
      "INSERT INTO skills (name, version, record, created_at) VALUES (?, ?, ?, ?)",
      saved.name,
      saved.version,
      JSON.stringify(saved),
      now,
    );
    return saved;
  }

  /** Every version of every skill, oldest version first. */
  async list(): Promise<SkillVersion[]> {
    return this.#sql
      .exec<{ record: string }>("SELECT record FROM skills ORDER BY name, version")
      .toArray()
      .map((r) => JSON.parse(r.record) as SkillVersion);
  }

  /** One version (the newest when `version` is absent). */
  async get(name: string, version?: number): Promise<SkillVersion | undefined> {
    const row =
      version === undefined
        ? this.#sql
            .exec<{ record: string }>("SELECT record FROM skills WHERE name = ? ORDER BY version DESC LIMIT 1", name)
            .toArray()[0]
        : this.#sql
            .exec<{ record: string }>("SELECT record FROM skills WHERE name = ? AND version = ?", name, version)
            .toArray()[0];
    return row ? (JSON.parse(row.record) as SkillVersion) : undefined;
  }

  /** Deletes every version; returns how many there were. */
  async delete(name: string): Promise<number> {
    return this.#sql.exec("DELETE FROM skills WHERE name = ? RETURNING version", name).toArray().length;
  }
}
