/**
 * @module skills/skill-modules
 * The sandbox modules of one skill version: `skill-impl.<name>@<v>.js` (its prepared code, whose default export
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
 * Module path of a skill version's prepared code. It sits at the root of the modules map, beside `agent.js`, so the
 * imports preparation wrote (`./runtime.js`, `./servers/<id>.js`) resolve as they are: nothing rewrites the code.
 */
function implPath(base: string): string {
  return `skill-impl.${base}.js`;
}

export function skillModules(skill: SkillVersion, prepared: string): Record<string, string> {
  if (!isSafeIdentifier(skill.name)) throw new Error(`unsafe skill name ${skill.name}`);
  const base = `${skill.name}@${skill.version}`;
  const wrapper = [
    `import impl from "../${implPath(base)}";`,
    `import { host } from "../runtime.js";`,
    "let fn;",
    `export async function ${skill.name}(input = {}) {`,
    // An input JSON cannot carry is refused in the sandbox naming the skill's call (`greet(input): /input/f: …`).
    `  await host("skill.validate", { name: ${JSON.stringify(skill.name)}, version: ${skill.version}, input }, ${JSON.stringify(`${skill.name}(input): `)}, "passed to a skill");`,
    "  fn ??= await impl();",
    `  if (typeof fn !== "function") throw new TypeError(${JSON.stringify(`skill ${base} did not export a function`)});`,
    // Awaited here: returning the promise would resolve the wrapper's with it, which reads its `then`, and the
    // skill's code may have replaced Promise.prototype.then.
    "  return await fn(input);",
    "}",
    "",
  ].join("\n");
  return { [implPath(base)]: prepared, [skillModulePath(skill.name, skill.version)]: wrapper };
}
