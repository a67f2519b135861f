/**
 * @module skills/skill-modules
 * The sandbox modules of one skill version: `skills/<name>@<v>.impl.js` (its prepared code, whose default export
 * returns the skill's function) and `skills/<name>@<v>.js`, the module code imports, exporting `<name>(input)`,
 * which has the host validate the input against the skill's schema before every run.
 */
import { isSafeIdentifier } from "../codegen/names";
import type { SkillVersion } from "./skill-types";

/** Module path of a skill version in the sandbox's modules map (what prepared imports point at). */
export function skillModulePath(name: string, version: number): string {
  return `skills/${name}@${version}.js`;
}

/**
 * Prepared code refers to sibling modules as `./x.js` from the modules map's root; the impl module sits in
 * `skills/`, so its imports (all hoisted onto line 1 by preparation) are re-rooted one level up.
 */
function reroot(prepared: string): string {
  const newline = prepared.indexOf("\n");
  const first = newline === -1 ? prepared : prepared.slice(0, newline);
  return first.replaceAll('from "./', 'from "../') + (newline === -1 ? "" : prepared.slice(newline));
}

export function skillModules(skill: SkillVersion, prepared: string): Record<string, string> {
  if (!isSafeIdentifier(skill.name)) throw new Error(`unsafe skill name ${skill.name}`);
  const base = `${skill.name}@${skill.version}`;
  const wrapper = [
    `import impl from "./${base}.impl.js";`,
    `import { host } from "../runtime.js";`,
    "let fn;",
    `export async function ${skill.name}(input = {}) {`,
    `  await host("skill.validate", { name: ${JSON.stringify(skill.name)}, version: ${skill.version}, input });`,
    "  fn ??= await impl();",
    "  return fn(input);",
    "}",
    "",
  ].join("\n");
  return { [`skills/${base}.impl.js`]: reroot(prepared), [skillModulePath(skill.name, skill.version)]: wrapper };
}
