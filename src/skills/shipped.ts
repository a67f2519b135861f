/**
 * @module skills/shipped
 * Skills shipped with the gateway: TypeScript files in `skills/` bundled as text at build time (wrangler Text
 * rule), with their metadata in `skills/manifest.json`. They are version 1, read-only, and visible to every user;
 * their names are reserved.
 */
import copyTree from "../../skills/copy_tree.ts";
import findReplace from "../../skills/find_replace.ts";
import manifest from "../../skills/manifest.json";
import summarizeDirectory from "../../skills/summarize_directory.ts";
import type { JsonSchema } from "../registry/registry-types";
import type { SkillVersion } from "./skill-types";

// Imported through the Text rule, these are the files' source text, not their functions.
const SOURCES: Record<string, string> = {
  "copy_tree.ts": copyTree as unknown as string,
  "find_replace.ts": findReplace as unknown as string,
  "summarize_directory.ts": summarizeDirectory as unknown as string,
};

export const SHIPPED_SKILLS: readonly SkillVersion[] = manifest.skills.map((s) => {
  const code = SOURCES[s.file];
  if (typeof code !== "string") throw new Error(`skills/manifest.json names ${s.file}, which is not bundled`);
  return {
    name: s.name,
    version: 1,
    description: s.description,
    code,
    input_schema: s.input_schema as JsonSchema,
    tags: s.tags,
    // Never saved against a catalog: skill-service.ts reads what they call from their imports, per catalog.
    uses: [],
    builtin: true,
  };
});
