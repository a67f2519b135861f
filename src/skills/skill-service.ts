/**
 * @module skills/skill-service
 * The skill library as the session sees it: shipped skills plus the user's saved ones, checked on save against
 * the current catalog and flagged when a tool they call has changed or disappeared since they were saved.
 */
import type { Catalog, Registry } from "../registry/registry";
import type { ImportUse } from "../sandbox/prepare";
import { buildSearchIndex } from "../search/index";
import type { SearchDoc } from "../search/search-types";
import type { TypecheckOutcome } from "../typecheck/typecheck-program";
import type { TypeWarning } from "../typecheck/typecheck-types";
import { SHIPPED_SKILLS } from "./shipped";
import {
  type Checked,
  checkInputSchema,
  checkSkillName,
  prepareSkill,
  shippedToolUses,
  skillDrift,
  toolUses,
} from "./skill-check";
import type { SkillStore } from "./skill-store";
import type { SkillDrift, SkillIndexEntry, SkillToolUse, SkillVersion } from "./skill-types";

export interface SaveSkillInput {
  name: string;
  description?: string;
  code?: string;
  input_schema?: unknown;
  tags?: string[];
  /** Save a copy of this earlier version as the newest (rollback); omitted fields come from it. */
  from_version?: number;
}

export interface SkillSummary {
  name: string;
  description: string;
  tags: string[];
  builtin: boolean;
  latest_version: number;
  versions: Array<{ version: number; created_at?: string }>;
  uses: Array<{ server: string; tool: string }>;
  drift: SkillDrift[];
  /** The latest version fails today's type check (it still runs: it passed the checks of its day). */
  type_errors?: string;
}

/** A skill as a search finds it. */
export interface SkillHit {
  name: string;
  version: number;
  description: string;
  drift: SkillDrift[];
}

/** Type-checks a skill's code against the catalog (src/typecheck); absent when checking is off. */
export type SkillTypecheck = (
  code: string,
  catalog: Catalog,
  imports: readonly ImportUse[],
) => Promise<TypecheckOutcome>;

/** Skills whose type check `list` runs per call; the rest are listed without it. */
const MAX_LIST_CHECKS = 20;
/** Type-check verdicts of skill versions per catalog (a catalog object is replaced whenever tools change). */
const verdicts = new WeakMap<Catalog, Map<string, string | null>>();

const SHIPPED_NAMES = new Set(SHIPPED_SKILLS.map((s) => s.name));

export class SkillService {
  #store: DurableObjectStub<SkillStore>;
  #registry: Registry;
  #typecheck: SkillTypecheck | undefined;

  constructor(store: DurableObjectStub<SkillStore>, registry: Registry, typecheck?: SkillTypecheck) {
    this.#store = store;
    this.#registry = registry;
    this.#typecheck = typecheck;
  }

  async #all(): Promise<SkillVersion[]> {
    return [...SHIPPED_SKILLS, ...((await this.#store.list()) as SkillVersion[])];
  }

  /** What code may import, for preparation: name -> versions (a prototype-less record: names are data). */
  async index(): Promise<Record<string, SkillIndexEntry>> {
    const index: Record<string, SkillIndexEntry> = Object.create(null);
    for (const s of await this.#all()) {
      if (!Object.hasOwn(index, s.name)) index[s.name] = { latest: 0, versions: [], exports: [s.name] };
      const entry = index[s.name]!;
      entry.versions.push(s.version);
      entry.latest = Math.max(entry.latest, s.version);
    }
    return index;
  }

  /** The current version of every skill (shipped and saved), sorted by name. */
  async latest(): Promise<SkillVersion[]> {
    const byName = await this.#grouped();
    return [...byName.keys()].sort().map((name) => byName.get(name)!.at(-1)!);
  }

  /** The current version of the first `limit` skills (by name) with their drift, from one read of the catalog. */
  async latestReviewed(limit: number): Promise<Array<{ skill: SkillVersion; drift: SkillDrift[] }>> {
    const latest = (await this.latest()).slice(0, limit);
    const catalog = await this.#registry.catalog();
    return latest.map((skill) => ({ skill, drift: reviewIn(skill, catalog).drift }));
  }

  async get(name: string, version?: number): Promise<SkillVersion | undefined> {
    const shipped = SHIPPED_SKILLS.find((s) => s.name === name);
    if (shipped) return version === undefined || version === shipped.version ? shipped : undefined;
    return ((await this.#store.get(name, version)) as SkillVersion | undefined) ?? undefined;
  }

  async save(input: SaveSkillInput): Promise<Checked<SkillVersion & { type_warnings?: TypeWarning[] }>> {
    const nameError = checkSkillName(input.name);
    if (nameError) return { ok: false, error: nameError };
    if (SHIPPED_NAMES.has(input.name)) {
      return { ok: false, error: `${input.name} is a skill shipped with the gateway; save yours under another name` };
    }
    let base: SkillVersion | undefined;
    if (input.from_version !== undefined) {
      base = await this.get(input.name, input.from_version);
      if (!base) return { ok: false, error: `${input.name}@${input.from_version} does not exist` };
    }
    const code = input.code ?? base?.code;
    const description = (input.description ?? base?.description ?? "").trim();
    if (!code) return { ok: false, error: "code is required (a module exporting one async function)" };
    if (!description) return { ok: false, error: "description is required: say what the skill does and returns" };
    if (description.length > 2_000) return { ok: false, error: "description is over 2,000 characters" };
    const schema = checkInputSchema(input.input_schema ?? base?.input_schema);
    if (!schema.ok) return schema;
    const tags = input.tags ?? base?.tags ?? [];
    if (tags.length > 20 || tags.some((t) => typeof t !== "string" || t.length > 50)) {
      return { ok: false, error: "tags: at most 20 strings of at most 50 characters" };
    }
    const catalog = await this.#registry.catalog();
    const prepared = prepareSkill(code, input.name, catalog, "__cg_step_check");
    // The messages name their line and column once, with the code frame.
    if (!prepared.ok)
      return { ok: false, error: `the skill's code does not pass its checks: ${prepared.error.message}` };
    const checked = await this.#typecheck?.(code, catalog, prepared.imports);
    if (checked && !checked.ok) {
      const message = checked.error.message.replace(
        /Nothing ran: .*$/,
        "Nothing was saved: fix the code and save again.",
      );
      return { ok: false, error: `the skill's code has type errors: ${message}` };
    }
    const saved = (await this.#store.save({
      name: input.name,
      description,
      code,
      input_schema: schema.value,
      tags,
      uses: toolUses(prepared, catalog),
    })) as SkillVersion;
    const warnings = checked?.warnings ?? [];
    return { ok: true, value: warnings.length ? { ...saved, type_warnings: warnings } : saved };
  }

  async delete(name: string): Promise<Checked<number>> {
    if (SHIPPED_NAMES.has(name))
      return { ok: false, error: `${name} is shipped with the gateway and cannot be deleted` };
    const n = await this.#store.delete(name);
    return n ? { ok: true, value: n } : { ok: false, error: `no skill named ${name}` };
  }

  /**
   * The tools one version calls and their drift against the current catalog. A saved version keeps the uses it was
   * saved with; a shipped one has them read from its code against this catalog (see {@link reviewIn}).
   */
  async review(skill: SkillVersion): Promise<{ uses: SkillToolUse[]; drift: SkillDrift[] }> {
    return reviewIn(skill, await this.#registry.catalog());
  }

  /** Every version of every skill, by name (oldest version first). */
  async #grouped(): Promise<Map<string, SkillVersion[]>> {
    const byName = new Map<string, SkillVersion[]>();
    for (const s of await this.#all()) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    return byName;
  }

  /** The versions of one skill, newest first, with their dates. */
  async versions(name: string): Promise<Array<{ version: number; created_at?: string }>> {
    return versionList((await this.#grouped()).get(name) ?? []);
  }

  /**
   * Skills matching a query, best first, each with its drift against `catalog` (the catalog the caller answers from:
   * a search does not wait for servers still connecting). Only the few hits are reviewed, so it stays cheap enough
   * for every search_tools.
   */
  async search(query: string, limit: number, catalog: Catalog): Promise<SkillHit[]> {
    const latest = [...(await this.#grouped()).values()].map((versions) => versions.at(-1)!);
    return rank(latest, query, limit).map((s) => ({
      name: s.name,
      version: s.version,
      description: s.description,
      drift: reviewIn(s, catalog).drift,
    }));
  }

  /** Every skill (newest version first in `versions`), optionally ranked by a query. */
  async list(query?: string): Promise<SkillSummary[]> {
    const byName = await this.#grouped();
    const sorted = [...byName.keys()].sort().map((name) => byName.get(name)!.at(-1)!);
    const latest = query?.trim() ? rank(sorted, query, 50) : sorted;
    const catalog = await this.#registry.catalog();
    const typeErrors = new Map<string, string>();
    for (const skill of latest.filter((s) => !s.builtin).slice(0, MAX_LIST_CHECKS)) {
      const verdict = await this.#typeVerdict(skill, catalog);
      if (verdict) typeErrors.set(skill.name, verdict);
    }
    return latest.map((skill) => {
      const { uses, drift } = reviewIn(skill, catalog);
      return {
        name: skill.name,
        description: skill.description,
        tags: skill.tags,
        builtin: skill.builtin === true,
        latest_version: skill.version,
        versions: versionList(byName.get(skill.name)!),
        uses: uses.map((u) => ({ server: u.server, tool: u.tool })),
        drift,
        ...(typeErrors.has(skill.name) ? { type_errors: typeErrors.get(skill.name)! } : {}),
      };
    });
  }

  /** The first line of today's type error of a skill version, or undefined when it passes (or was not checked). */
  async #typeVerdict(skill: SkillVersion, catalog: Catalog): Promise<string | undefined> {
    if (!this.#typecheck) return undefined;
    const known = verdicts.get(catalog) ?? new Map<string, string | null>();
    verdicts.set(catalog, known);
    const key = `${skill.name}@${skill.version}`;
    if (!known.has(key)) {
      const prepared = prepareSkill(skill.code, skill.name, catalog, "__cg_step_check");
      const checked = prepared.ok ? await this.#typecheck(skill.code, catalog, prepared.imports) : undefined;
      known.set(key, checked && !checked.ok ? checked.error.message.split("\n")[0]! : null);
    }
    return known.get(key) ?? undefined;
  }
}

/**
 * Uses and drift of a skill version in a catalog. A shipped skill is never saved, so its uses are what a save would
 * record today (same servers, tools and hashes); they ship with the servers they call, so only a missing tool, or a
 * server configured away, can drift.
 */
function reviewIn(skill: SkillVersion, catalog: Catalog): { uses: SkillToolUse[]; drift: SkillDrift[] } {
  if (!skill.builtin) return { uses: skill.uses, drift: skillDrift(skill, catalog) };
  const uses = shippedToolUses(skill.code, catalog);
  return { uses, drift: skillDrift({ ...skill, uses }, catalog) };
}

function versionList(versions: readonly SkillVersion[]): Array<{ version: number; created_at?: string }> {
  return versions.map((v) => ({ version: v.version, ...(v.created_at ? { created_at: v.created_at } : {}) })).reverse();
}

/** Skills ranked for a query by the same search module as tools (over name, description and tags). */
function rank(skills: readonly SkillVersion[], query: string, limit: number): SkillVersion[] {
  const byName = new Map(skills.map((s) => [s.name, s]));
  const docs: SearchDoc[] = skills.map((s) => ({
    key: s.name,
    kind: "skill",
    server: "skills",
    name: s.name,
    description: s.description,
    tags: s.tags,
  }));
  return buildSearchIndex(docs)
    .search(query, { limit })
    .hits.map((h) => byName.get(h.key)!);
}
