/**
 * @module mcp/skill-tools
 * The skill library over MCP: `save_skill`, `list_skills`, `get_skill`, `run_skill`, `delete_skill`. Skills are
 * per user and versioned: every save appends an immutable version; `name@2` pins one anywhere a skill is named.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { didYouMean, formatList, formatVersions, suggest } from "../sandbox/prepare-suggest";
import { validateValue } from "../sandbox/validate-args";
import { cannotRunMessage, parseSkillRef } from "../skills/skill-check";
import { runExecution } from "./execute-tool";
import { contextArg, type GatewayContext } from "./gateway-context";
import { objectArg } from "./object-arg";
import { errorResult, structuredResult } from "./tool-result";

/** A skill name, optionally pinned to a version: "copy_tree" or "copy_tree@2". */
const NAME = z.string().min(1).max(80);

/** Top-level keys named in run_skill's refusal of them, and the longest shown of each (they are the caller's). */
const MAX_KEYS_SHOWN = 5;
const MAX_KEY_SHOWN = 40;

/**
 * Why run_skill refuses keys beside its own: a model often passes the skill's input at the top level
 * (`{ name, path }`), which zod's default object would drop, so the skill then reports its own property missing.
 */
export function topLevelInputMessage(keys: readonly string[]): string {
  // Only a 2025-11-25 session refuses `context` (2026-07-28 requests declare it): its session is its context.
  const noContext = keys.includes("context")
    ? '"context" is for 2026-07-28 clients; in a 2025-11-25 session the session itself is the context'
    : undefined;
  const rest = keys.filter((k) => k !== "context");
  if (rest.length === 0) return `run_skill: ${noContext}`;
  const shown = rest.map((k) => JSON.stringify(k.length > MAX_KEY_SHOWN ? `${k.slice(0, MAX_KEY_SHOWN)}…` : k));
  const example = shown.slice(0, MAX_KEYS_SHOWN).map((k) => `${k}: ...`);
  const more = shown.length > MAX_KEYS_SHOWN ? ", ..." : "";
  return `run_skill takes the skill's input as "input": { ${example.join(", ")}${more} }; got top-level ${formatList(shown, MAX_KEYS_SHOWN)} (its own arguments are name, version, input)${noContext ? `; ${noContext}` : ""}`;
}

/**
 * Why get_skill and run_skill found nothing: a skill that exists without the pinned version is named with its versions
 * (newest few), since "did you mean" would only repeat the name that was written; an unknown name gets the closest.
 */
async function noSuchSkill(
  ctx: GatewayContext,
  ref: { name: string; version?: number },
  tool: string,
): Promise<string> {
  const index = await ctx.skills.index();
  const entry = Object.hasOwn(index, ref.name) ? index[ref.name] : undefined;
  if (entry && ref.version !== undefined) {
    return `skill ${ref.name} has no version ${ref.version}; its versions, newest first: ${formatVersions(entry.versions)}. ${tool} { name: "${ref.name}" } uses the latest, "${ref.name}@<version>" pins one`;
  }
  const written = `${ref.name}${ref.version !== undefined ? `@${ref.version}` : ""}`;
  return `no skill ${written}.${didYouMean(suggest(ref.name, Object.keys(index)))} list_skills shows what exists`;
}

export function registerSkillTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "save_skill",
    {
      description:
        // Says what a save needs: `description` is optional in the schema only for a rollback (from_version).
        'Save a skill: description, and code with one "export default async function name(input)".',
      inputSchema: {
        name: z.string().min(1).max(64),
        description: z.string().max(2_000).optional(),
        code: z
          .string()
          .max(256 * 1024)
          .optional(),
        input_schema: z.record(z.string(), z.unknown()).optional(),
        tags: z.array(z.string()).max(20).optional(),
        /** Roll back: save this earlier version as the newest. */
        from_version: z.number().int().optional(),
      },
    },
    async (input) => {
      const saved = await ctx.skills.save(input);
      if (!saved.ok) return errorResult(`save_skill refused: ${saved.error}`);
      const s = saved.value;
      const warnings = s.type_warnings ?? [];
      return structuredResult(
        {
          name: s.name,
          version: s.version,
          created_at: s.created_at,
          uses: s.uses,
          ...(warnings.length ? { warnings } : {}),
        },
        `saved ${s.name}@${s.version}; import it with: import { ${s.name} } from "skills/${s.name}";${warnings
          .map((w) => `\nwarning (line ${w.line}, column ${w.column}): ${w.message}`)
          .join("")}`,
      );
    },
  );

  server.registerTool(
    "list_skills",
    {
      description: "Skills and drift; query ranks.",
      inputSchema: { query: z.string().max(500).optional() },
    },
    async ({ query }) => {
      const skills = await ctx.skills.list(query);
      const text = skills.length
        ? skills
            .map(
              (s) =>
                `${s.name}@${s.latest_version}${s.builtin ? " (shipped)" : ""}: ${s.description}${
                  s.drift.length
                    ? `\n  DRIFT: ${s.drift.map((d) => `${d.server}.${d.tool} ${d.status}: ${d.reason}`).join("; ")}`
                    : ""
                }${s.type_errors ? `\n  TYPE ERRORS today (it still runs): ${s.type_errors}` : ""}`,
            )
            .join("\n")
        : "No skills found.";
      return structuredResult({ skills }, text);
    },
  );

  server.registerTool(
    "get_skill",
    {
      description: 'One skill; pin as "x@2".',
      inputSchema: { name: NAME, version: z.number().int().optional() },
    },
    async ({ name, version }) => {
      const ref = parseSkillRef(name, version);
      if (!ref.ok) return errorResult(ref.error);
      const skill = await ctx.skills.get(ref.value.name, ref.value.version);
      if (!skill) return errorResult(await noSuchSkill(ctx, ref.value, "get_skill"));
      const [versions, review] = await Promise.all([ctx.skills.versions(skill.name), ctx.skills.review(skill)]);
      return structuredResult({
        ...skill,
        uses: review.uses,
        import: `import { ${skill.name} } from "skills/${skill.name}@${skill.version}";`,
        versions,
        drift: review.drift,
      });
    },
  );

  server.registerTool(
    "run_skill",
    {
      description: "Run a skill.",
      // Strict, so keys meant for `input` are refused with where they go instead of silently dropped.
      inputSchema: z.strictObject(
        {
          name: NAME,
          version: z.number().int().optional(),
          input: objectArg().default({}),
          ...contextArg(ctx),
        },
        { error: (issue) => (issue.code === "unrecognized_keys" ? topLevelInputMessage(issue.keys) : undefined) },
      ),
    },
    async ({ name, version, input }, extra) =>
      runExecution(ctx, extra, async () => {
        const ref = parseSkillRef(name, version);
        if (!ref.ok) return ref.error;
        const skill = await ctx.skills.get(ref.value.name, ref.value.version);
        if (!skill) return noSuchSkill(ctx, ref.value, "run_skill");
        // A tool it calls is gone (its server removed, or no longer listing it): say so, not "no such module".
        const blocked = cannotRunMessage(skill, (await ctx.skills.review(skill)).drift);
        if (blocked) return blocked;
        const invalid = validateValue(`skill\u0000${JSON.stringify(skill.input_schema)}`, skill.input_schema, input);
        if (invalid) return `${skill.name}@${skill.version}: ${invalid} (get_skill shows its input_schema)`;
        return ctx.runSkill(skill, input, extra);
      }),
  );

  server.registerTool(
    "delete_skill",
    {
      description: "Delete a saved skill (all versions).",
      inputSchema: { name: z.string().min(1).max(64) },
      annotations: { destructiveHint: true },
    },
    async ({ name }) => {
      const deleted = await ctx.skills.delete(name);
      if (!deleted.ok) return errorResult(deleted.error);
      return structuredResult(
        { name, deleted_versions: deleted.value },
        `deleted ${name} (${deleted.value} version${deleted.value === 1 ? "" : "s"})`,
      );
    },
  );
}
