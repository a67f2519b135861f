/**
 * @module mcp/skill-tools
 * The skill library over MCP: `save_skill`, `list_skills`, `get_skill`, `run_skill`, `delete_skill`. Skills are
 * per user and versioned: every save appends an immutable version; `name@2` pins one anywhere a skill is named.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { validateValue } from "../sandbox/validate-args";
import { parseSkillRef } from "../skills/skill-check";
import { executionResult } from "./execute-tool";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

const NAME = z.string().min(1).max(80).describe('Skill name, optionally pinned: "copy_tree" or "copy_tree@2"');

export function registerSkillTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "save_skill",
    {
      description:
        'Save reusable code as a skill (new immutable version each save). code: a module with one export, "export default async function name(input) {...}", importing tools like execute_code. Code can then import { name } from "skills/name".',
      inputSchema: {
        name: z.string().min(1).max(64),
        description: z.string().max(2_000).optional(),
        code: z
          .string()
          .max(256 * 1024)
          .optional(),
        input_schema: z.record(z.string(), z.unknown()).optional(),
        tags: z.array(z.string()).max(20).optional(),
        from_version: z.number().int().positive().optional().describe("Roll back: save this version as the newest"),
      },
    },
    async (input) => {
      const saved = await ctx.skills.save(input);
      if (!saved.ok) return errorResult(`save_skill refused: ${saved.error}`);
      const s = saved.value;
      return structuredResult(
        { name: s.name, version: s.version, created_at: s.created_at, uses: s.uses },
        `saved ${s.name}@${s.version}; import it with: import { ${s.name} } from "skills/${s.name}";`,
      );
    },
  );

  server.registerTool(
    "list_skills",
    {
      description: "List skills (shipped and yours) with versions, dates, the tools they call, and drift warnings.",
      inputSchema: { query: z.string().max(500).optional().describe("Rank by relevance to this text") },
      annotations: { readOnlyHint: true },
    },
    async ({ query }) => {
      const skills = await ctx.skills.list(query);
      const text = skills.length
        ? skills
            .map(
              (s) =>
                `${s.name}@${s.latest_version}${s.builtin ? " (shipped)" : ""}: ${s.description}${
                  s.drift.length
                    ? `\n  DRIFT: ${s.drift.map((d) => `${d.server}.${d.tool} ${d.status}`).join(", ")}`
                    : ""
                }`,
            )
            .join("\n")
        : "No skills found.";
      return structuredResult({ skills }, text);
    },
  );

  server.registerTool(
    "get_skill",
    {
      description: "One skill version in full: code, input schema, tools used, versions with dates, drift.",
      inputSchema: { name: NAME, version: z.number().int().positive().optional() },
      annotations: { readOnlyHint: true },
    },
    async ({ name, version }) => {
      const ref = parseSkillRef(name, version);
      if (!ref.ok) return errorResult(ref.error);
      const skill = await ctx.skills.get(ref.value.name, ref.value.version);
      if (!skill) return errorResult(`no skill ${name}${version ? `@${version}` : ""}; list_skills shows what exists`);
      const all = (await ctx.skills.list()).find((s) => s.name === skill.name);
      const drift = await ctx.skills.drift(skill);
      return structuredResult({
        ...skill,
        import: `import { ${skill.name} } from "skills/${skill.name}@${skill.version}";`,
        versions: all?.versions ?? [],
        drift,
      });
    },
  );

  server.registerTool(
    "run_skill",
    {
      description: "Run a skill with an input object; returns the same shape as execute_code.",
      inputSchema: {
        name: NAME,
        version: z.number().int().positive().optional(),
        input: z.record(z.string(), z.unknown()).default({}),
      },
    },
    async ({ name, version, input }, extra) => {
      const ref = parseSkillRef(name, version);
      if (!ref.ok) return errorResult(ref.error);
      const skill = await ctx.skills.get(ref.value.name, ref.value.version);
      if (!skill) return errorResult(`no skill ${name}; list_skills shows what exists`);
      const invalid = validateValue(`skill\u0000${JSON.stringify(skill.input_schema)}`, skill.input_schema, input);
      if (invalid) return errorResult(`${skill.name}@${skill.version}: ${invalid} (get_skill shows its input_schema)`);
      return executionResult(await ctx.runSkill(skill, input, extra));
    },
  );

  server.registerTool(
    "delete_skill",
    {
      description: "Delete one of your skills (every version).",
      inputSchema: { name: z.string().min(1).max(64) },
      annotations: { destructiveHint: true },
    },
    async ({ name }) => {
      const deleted = await ctx.skills.delete(name);
      if (!deleted.ok) return errorResult(deleted.error);
      return structuredResult({ name, deleted_versions: deleted.value }, `deleted ${name} (${deleted.value} versions)`);
    },
  );
}
