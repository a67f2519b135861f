/**
 * @module mcp/skill-resources
 * The user's skills (shipped and saved, current versions) over the MCP skills extension (SEP-2640), so clients
 * that support it list and read them without a tool call. Each skill is one `skill://<name>/SKILL.md` whose
 * body carries the description, the input schema, how to import or run it, and its code.
 *
 * SEP-2640 names are lowercase words joined by single hyphens, so a gateway name maps by lower-casing, turning `_`
 * (and anything else outside [a-z0-9]) into `-`, collapsing repeats and trimming the ends; when two skills map to
 * the same name, the later (by gateway name) gets `-` and a short hash of its gateway name appended.
 */
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import { type Skill, type SkillSource, SkillsExtension, skillEntry } from "@modelcontextprotocol/server/ext/skills";
import { cannotRunMessage } from "../skills/skill-check";
import type { SkillService } from "../skills/skill-service";
import type { SkillVersion } from "../skills/skill-types";

/** Skills listed at most (a user with more still reaches them all through list_skills). */
export const MAX_LISTED_SKILLS = 500;
const HINT = { ttlMs: 60_000, cacheScope: "private" } as const;

async function shortHash(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest.slice(0, 3), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The SEP-2640 form of a gateway skill name (see the module comment), before collision handling. */
export function sepSkillName(name: string): string {
  const mapped = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return mapped || "skill";
}

/** A fence longer than any backtick run in `text`, so code cannot close it. */
function fence(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * The SKILL.md of one skill version under its SEP-2640 name; `cannotRun` (run_skill's refusal, when a tool it calls
 * is gone) is said before how to use it, so a client that lists skills without a tool call is not told to run one
 * that cannot.
 */
export function skillMarkdown(skill: SkillVersion, sepName: string, cannotRun?: string): string {
  const schema = JSON.stringify(skill.input_schema, null, 2);
  const example = `import { ${skill.name} } from "skills/${skill.name}";\nconst result = await ${skill.name}({ /* input */ });`;
  const code = fence(skill.code);
  return [
    "---",
    `name: ${sepName}`,
    `description: ${JSON.stringify(skill.description.replace(/\s+/g, " ").trim() || skill.name)}`,
    "---",
    "",
    `# ${skill.name} (version ${skill.version}${skill.builtin ? ", shipped with the gateway" : ""})`,
    "",
    skill.description,
    "",
    ...(cannotRun ? ["## Cannot run", "", cannotRun, ""] : []),
    "## Input schema",
    "",
    "```json",
    schema,
    "```",
    "",
    "## Use",
    "",
    `In execute_code, or run it directly with run_skill({ name: "${skill.name}", input }):`,
    "",
    "```ts",
    example,
    "```",
    "",
    "## Code",
    "",
    `${code}ts`,
    skill.code,
    code,
    "",
  ].join("\n");
}

interface Listed {
  entry: Skill;
  text: string;
  name: string;
  description: string;
}

/** The user's current skills as SEP-2640 entries, keyed by SKILL.md URI (built per call: skills change). */
async function listed(skills: SkillService): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>();
  const taken = new Set<string>();
  for (const { skill, drift } of await skills.latestReviewed(MAX_LISTED_SKILLS)) {
    let name = sepSkillName(skill.name);
    if (taken.has(name)) name = `${name}-${await shortHash(skill.name)}`;
    taken.add(name);
    const text = skillMarkdown(skill, name, cannotRunMessage(skill, drift));
    const entry = await skillEntry(name, { "SKILL.md": text });
    out.set(entry.uri, { entry, text, name, description: skill.description });
  }
  return out;
}

function skillSource(skills: SkillService): SkillSource {
  return {
    async list() {
      return { skills: [...(await listed(skills)).values()].map((s) => s.entry) };
    },
    async get(uri: string) {
      return (await listed(skills)).get(uri)?.entry;
    },
    async read(uri: string) {
      const found = (await listed(skills)).get(uri);
      return found ? { text: found.text, mimeType: "text/markdown" } : undefined;
    },
    async listResources(_ctx: ServerContext) {
      return [...(await listed(skills)).values()].map(({ entry, name, description }) => ({
        uri: entry.uri,
        name,
        description,
        mimeType: "text/markdown",
      }));
    },
  };
}

/** Adds the skills extension to a server (before it connects). */
export function attachSkills(server: McpServer, skills: SkillService): void {
  new SkillsExtension({ source: skillSource(skills), cacheHint: HINT, onWarning: () => {} }).attach(server);
}
