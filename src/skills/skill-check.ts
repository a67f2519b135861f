/**
 * @module skills/skill-check
 * What makes a skill valid: a name usable as an export, a description, an object input schema the validator can
 * read, and code that is a module exporting its function (the default export, or the export named after the skill)
 * and that prepares against the current catalog (syntax, known servers and tools). The code goes through the same
 * preparation as `execute_code` (TypeScript strip, import checks, runaway guard), so a skill is held to the same
 * rules.
 */
import { Validator } from "@cfworker/json-schema";
import type { Program } from "acorn";
import { isSafeIdentifier } from "../codegen/names";
import type { Catalog } from "../registry/registry";
import type { JsonSchema } from "../registry/registry-types";
import { prepareCode } from "../sandbox/prepare";
import { codeFrame, LineIndex } from "../sandbox/prepare-location";
import { parseProgram } from "../sandbox/prepare-parse";
import { classifyRegex } from "../sandbox/prepare-regex";
import { stripTypes } from "../sandbox/prepare-strip";
import type { PrepareResult } from "../sandbox/prepare-types";
import { GATEWAY_EXPORTS, serverExports, taskOnlyTools, unavailableServers } from "../sandbox/sandbox-modules";
import { boundSchema } from "../sandbox/schema-bounds";
import type { SkillDrift, SkillToolUse, SkillVersion } from "./skill-types";

export const SKILL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses `name` or `name@3`. */
export function parseSkillRef(ref: string, version?: number): Checked<{ name: string; version?: number }> {
  const m = /^([a-z][a-z0-9_]{0,63})(?:@(\d{1,6}))?$/.exec(ref);
  if (!m) return { ok: false, error: `"${ref}" is not a skill name (lowercase letters, digits, _; optional @version)` };
  if (m[2] && version !== undefined && Number(m[2]) !== version) {
    return { ok: false, error: `${ref} names version ${m[2]} but version ${version} was also given` };
  }
  const v = m[2] ? Number(m[2]) : version;
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
    return { ok: false, error: `version ${v} is not a skill version: versions are numbered from 1` };
  }
  return { ok: true, value: { name: m[1]!, ...(v === undefined ? {} : { version: v }) } };
}

export function checkSkillName(name: string): string | undefined {
  if (!SKILL_NAME.test(name)) return `skill names are 1-64 lowercase letters, digits and _, starting with a letter`;
  if (!isSafeIdentifier(name)) {
    return `"${name}" cannot name a skill: it is a reserved word in JavaScript or a name objects already have (such as constructor or prototype), so importing it would be unsafe; choose another name`;
  }
  return undefined;
}

/**
 * Prepares a skill's code for the sandbox against the catalog (skills cannot import other skills). The prepared
 * module's default export returns the skill's function; which export that is, is read from the syntax tree
 * (sandbox/prepare-exports.ts), and every problem is reported at the line of the skill's own code.
 */
export function prepareSkill(code: string, name: string, catalog: Catalog, guardName: string): PrepareResult {
  const skillImport = moduleImports(code).find((i) => i.source.startsWith("skills/"));
  if (skillImport) {
    // Located as every other refusal of preparation is: its line and column once, then the code frame.
    const at = { line: skillImport.line, column: skillImport.column };
    return {
      ok: false,
      error: {
        kind: "import",
        message: `Cannot import "${skillImport.source}" in a skill: skills cannot import other skills. Copy the code you need into this skill, or call both skills from execute_code. (line ${at.line}, column ${at.column})\n${codeFrame(new LineIndex(code), at)}`,
        ...at,
      },
    };
  }
  return prepareCode({
    code,
    modules: {
      servers: serverExports(catalog),
      unavailable: unavailableServers(catalog),
      taskOnly: taskOnlyTools(catalog),
      gateway: GATEWAY_EXPORTS,
      skills: Object.create(null),
    },
    guardName,
    skill: name,
  });
}

export function checkInputSchema(schema: unknown): Checked<JsonSchema> {
  if (schema === undefined) return { ok: true, value: { type: "object" } };
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return { ok: false, error: "input_schema must be a JSON Schema object" };
  }
  const s = schema as Record<string, unknown>;
  if (s.type !== undefined && s.type !== "object") return { ok: false, error: 'input_schema must have type "object"' };
  try {
    new Validator(s as never, "7");
  } catch (err) {
    return { ok: false, error: `input_schema is not a valid JSON Schema: ${(err as Error).message}` };
  }
  // The gateway checks a skill's input on the host before the skill runs: the schema must be one it can check in
  // bounded time (sandbox/schema-bounds.ts, sandbox/host-patterns.ts), or every run would go unchecked.
  const bounded = boundSchema(s as JsonSchema);
  if (!bounded.ok) {
    return {
      ok: false,
      error: `input_schema is too complex to check: ${bounded.reason}. Describe the input with fewer $ref, allOf, anyOf and oneOf, or check it in the skill's code`,
    };
  }
  for (const pattern of bounded.patterns) {
    let plan: ReturnType<typeof classifyRegex>;
    try {
      new RegExp(pattern, "u");
      plan = classifyRegex(pattern, "u");
    } catch (err) {
      return { ok: false, error: `input_schema has an invalid pattern: ${(err as Error).message}` };
    }
    if (plan.engine === "refused") {
      const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
      return {
        ok: false,
        error: `input_schema: the pattern /${shown}/ cannot be matched in bounded time: ${plan.reason}`,
      };
    }
  }
  return { ok: true, value: { type: "object", ...s } };
}

/** The tools a prepared skill imports, with their current definition hashes. */
export function toolUses(prepared: Extract<PrepareResult, { ok: true }>, catalog: Catalog): SkillToolUse[] {
  const uses: SkillToolUse[] = [];
  for (const imp of prepared.imports) {
    if (imp.kind !== "server") continue;
    const entry = catalog.byServerId.get(imp.module);
    for (const id of imp.names) {
      const tool = entry?.byId.get(id);
      if (entry && tool) uses.push({ server: entry.name, tool: tool.name, hash: tool.hash });
    }
  }
  return uses;
}

/**
 * The tools a shipped skill calls, as {@link toolUses} gives them for a saved one, with today's definition hashes: a
 * shipped skill is never saved against a catalog, so its imports are read from its syntax and looked up in the
 * catalog given. A tool the catalog lacks is kept without a hash (so drift can say it is missing) rather than
 * dropped, which preparation would refuse outright.
 */
export function shippedToolUses(code: string, catalog: Catalog): SkillToolUse[] {
  const uses: SkillToolUse[] = [];
  for (const { serverId, names } of serverImports(code)) {
    const entry = catalog.byServerId.get(serverId);
    for (const id of names ?? entry?.tools.map((t) => t.id) ?? []) {
      const tool = entry?.byId.get(id);
      uses.push(tool ? { server: entry!.name, tool: tool.name, hash: tool.hash } : { server: serverId, tool: id });
    }
  }
  return uses;
}

/** `servers/<id>` imports of a module, by syntax alone; `names` is absent for a namespace import (every tool). */
function serverImports(code: string): Array<{ serverId: string; names?: string[] }> {
  return moduleImports(code).flatMap(({ source, names }) => {
    const serverId = /^servers\/(.+)$/.exec(source)?.[1];
    return serverId ? [{ serverId, ...(names ? { names } : {}) }] : [];
  });
}

/** A module's import declarations, by syntax alone: source, line, column and names (absent for a namespace import). */
function moduleImports(code: string): Array<{ source: string; line: number; column: number; names?: string[] }> {
  const stripped = stripTypes(code);
  if (!stripped.ok) return [];
  let program: Program;
  try {
    program = parseProgram(stripped.code, { ecmaVersion: "latest", sourceType: "module", locations: true });
  } catch {
    return [];
  }
  const imports: Array<{ source: string; line: number; column: number; names?: string[] }> = [];
  for (const node of program.body) {
    if (node.type !== "ImportDeclaration") continue;
    const source = String(node.source.value);
    // Stripping keeps every line on its line, so the line is the skill's own (and an import's column too: stripping
    // removes types, never what starts a statement).
    const line = node.loc?.start.line ?? 1;
    const column = (node.loc?.start.column ?? 0) + 1;
    if (node.specifiers.some((s) => s.type === "ImportNamespaceSpecifier")) {
      imports.push({ source, line, column });
      continue;
    }
    const names = node.specifiers.flatMap((s) =>
      s.type === "ImportSpecifier"
        ? [s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value)]
        : [],
    );
    imports.push({ source, line, column, names: [...new Set(names)] });
  }
  return imports;
}

/**
 * Tools the skill uses whose definition changed since it was saved, or that are gone: a tool its listed server no
 * longer lists, or every tool of a server no longer configured. A server that is configured but down (still
 * connecting, or its listing failed) says nothing about its tools and is not flagged.
 */
export function skillDrift(skill: SkillVersion, catalog: Catalog): SkillDrift[] {
  const drift: SkillDrift[] = [];
  for (const use of skill.uses) {
    const entry = catalog.byName.get(use.server) ?? catalog.byServerId.get(use.server);
    if (!entry) {
      drift.push({
        ...missing(use),
        reason: removedReason(use.server),
      });
      continue;
    }
    if (entry.status !== "ok") continue;
    const tool = entry.byUpstreamName.get(use.tool);
    if (!tool) drift.push({ ...missing(use), reason: `${use.server} no longer lists it` });
    else if (use.hash && tool.hash !== use.hash) {
      drift.push({
        server: use.server,
        tool: use.tool,
        status: "changed",
        reason: "its definition changed since the skill was saved",
      });
    }
  }
  return drift;
}

/** The drift reason of a tool whose server is no longer configured. */
const removedReason = (server: string) => `server ${server} was removed (no server of that name is configured)`;

const missing = (use: SkillToolUse): Omit<SkillDrift, "reason"> => ({
  server: use.server,
  tool: use.tool,
  status: "missing",
});

/**
 * Why a skill cannot run today, from its drift: the tools it calls that are gone (a server removed, a tool no longer
 * listed), grouped by reason; undefined when none is. A changed tool may still work, so it does not stop a run.
 */
export function unrunnableReason(drift: readonly SkillDrift[]): string | undefined {
  const byReason = new Map<string, string[]>();
  for (const d of drift) {
    if (d.status !== "missing") continue;
    byReason.set(d.reason, [...(byReason.get(d.reason) ?? []), `${d.server}.${d.tool}`]);
  }
  if (byReason.size === 0) return undefined;
  return [...byReason].map(([reason, tools]) => `it calls ${tools.join(", ")}, but ${reason}`).join("; ");
}

/** What to do about a skill {@link unrunnableReason} stops, for run_skill's refusal. */
export function unrunnableFix(drift: readonly SkillDrift[]): string {
  const removed = drift.some((d) => d.status === "missing" && d.reason === removedReason(d.server));
  return (
    (removed ? "add the server again (add_server, or the gateway's configuration for one of its servers), or " : "") +
    "save a new version of the skill that does not use it (get_skill shows its code; save_skill saves it); " +
    "list_skills shows every skill's drift"
  );
}

/** The drift of a skill version in a catalog: a shipped one's uses are read from its code ({@link shippedToolUses}). */
export function currentDrift(skill: SkillVersion, catalog: Catalog): SkillDrift[] {
  return skillDrift(skill.builtin ? { ...skill, uses: shippedToolUses(skill.code, catalog) } : skill, catalog);
}

/** Why a skill version cannot run, and what to do, as run_skill and an import of it say it; undefined when it can. */
export function cannotRunMessage(skill: Pick<SkillVersion, "name" | "version">, drift: readonly SkillDrift[]) {
  const blocked = unrunnableReason(drift);
  return blocked && `${skill.name}@${skill.version} cannot run: ${blocked}. To run it: ${unrunnableFix(drift)}.`;
}
