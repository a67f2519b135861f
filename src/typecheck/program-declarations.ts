/**
 * @module typecheck/program-declarations
 * The declarations a program is checked against: one `declare module` per module it imports; a large server (it
 * may list 10,000 tools) holds only the exports the program imports (unknown names were already refused by the
 * import check).
 * Tools without an `outputSchema` return their observed type when there is one, else `any`: a correct program is
 * never refused for want of a result type.
 */
import { type OutputOverride, serverModuleDeclaration } from "../codegen/declarations";
import { GATEWAY_DECLARATION } from "../codegen/gateway-module";
import { stringLiteral } from "../codegen/literal";
import { schemaToTypes } from "../codegen/schema-to-ts";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { ImportUse } from "../sandbox/prepare";
import type { SkillVersion } from "../skills/skill-types";
import { toolsNamedByTypes } from "./type-named-tools";

/** Servers with at most this many tools are declared whole; larger ones only with the tools the program imports. */
const WHOLE_MODULE_TOOLS = 64;

/** What the program imports, resolved by the import check. */
export interface ProgramImports {
  catalog: Catalog;
  imports: readonly ImportUse[];
  /** Skills the program imports, by `name@version`. */
  skills: ReadonlyMap<string, SkillVersion>;
  /** Latest version of each imported skill (the unversioned specifier resolves to it). */
  latestSkill: (name: string) => number | undefined;
  /** Ambient declarations of the bindings carried from earlier executions (src/scope/scope-types.ts). */
  carried?: string;
  /** The result type of a tool without `outputSchema` (observed); default `any`. */
  observed?: (tool: CatalogTool) => OutputOverride | undefined;
}

/**
 * Rendered server modules by tool list (the registry shares one list per listing version, src/registry/catalog-cache.ts),
 * then by everything the text depends on: the module, the tools declared and the output type of each tool without an
 * `outputSchema`. A session's programs import the same modules again and again (carried imports bring them into every
 * later program), and rendering turns every tool's JSON Schema into TypeScript.
 */
const renderedByList = new WeakMap<readonly CatalogTool[], Map<string, string>>();
/** Renderings kept per tool list; observed output types change as results come in, so older ones are dropped. */
const MAX_RENDERED_PER_LIST = 64;

function renderedModule(
  serverId: string,
  list: readonly CatalogTool[],
  tools: CatalogTool[],
  outputType: (tool: CatalogTool) => OutputOverride,
): string {
  const outputs = tools.map((t) => {
    if (t.outputSchema !== undefined) return "";
    const o = outputType(t);
    return `${o.type}\u0001${o.doc.join("\u0002")}`;
  });
  const key = `${serverId}\u0000${tools === list ? "*" : tools.map((t) => t.id).join("\u0003")}\u0000${outputs.join("\u0004")}`;
  let rendered = renderedByList.get(list);
  if (!rendered) {
    rendered = new Map();
    renderedByList.set(list, rendered);
  }
  let text = rendered.get(key);
  if (text === undefined) {
    if (rendered.size >= MAX_RENDERED_PER_LIST) rendered.clear();
    text = serverModuleDeclaration(serverId, tools, { outputType });
    rendered.set(key, text);
  }
  return text;
}

/**
 * The imports with one use per module: a program may import a server for its values and again for its types
 * (`import { read_file, type WriteFileInput }`, `import type …` beside `import { … }`), and one module is declared once.
 */
function mergedUses(imports: readonly ImportUse[]): ImportUse[] {
  const byModule = new Map<string, ImportUse>();
  for (const use of imports) {
    const key = `${use.kind}\0${use.module}\0${use.version ?? ""}`;
    const known = byModule.get(key);
    if (!known) byModule.set(key, use);
    else {
      byModule.set(key, {
        ...known,
        names: [...new Set([...known.names, ...use.names])],
        types: [...new Set([...(known.types ?? []), ...(use.types ?? [])])],
      });
    }
  }
  return [...byModule.values()];
}

/** Declarations for every module the program imports. */
export function programDeclarations(program: ProgramImports): string {
  const blocks: string[] = [];
  const outputType = (tool: CatalogTool) => program.observed?.(tool) ?? { type: "any", doc: [] };
  for (const use of mergedUses(program.imports)) {
    if (use.kind === "gateway") {
      blocks.push(GATEWAY_DECLARATION);
    } else if (use.kind === "server") {
      const entry = program.catalog.byServerId.get(use.module);
      if (!entry) continue;
      // Small servers are declared whole, so type-only imports (`import type { ReadFileOutput }`) resolve too; a large
      // one with the tools the program imports and those its type names belong to.
      let tools = entry.tools;
      if (entry.tools.length > WHOLE_MODULE_TOOLS) {
        const names = new Set(use.names);
        const typed = toolsNamedByTypes(entry.tools, use.types ?? []);
        tools = entry.tools.filter((t) => names.has(t.id) || typed.has(t.id));
      }
      blocks.push(renderedModule(use.module, entry.tools, tools, outputType));
    } else {
      const skill = program.skills.get(`${use.module}@${use.version}`);
      if (!skill) continue;
      blocks.push(skillDeclaration(skill, `skills/${skill.name}@${skill.version}`));
      if (program.latestSkill(skill.name) === skill.version)
        blocks.push(skillDeclaration(skill, `skills/${skill.name}`));
    }
  }
  if (program.carried) blocks.push(program.carried);
  return blocks.join("\n\n");
}

/** A skill module: one async function taking the input its schema describes; results are not declared. */
function skillDeclaration(skill: SkillVersion, specifier: string): string {
  const input = schemaToTypes(skill.input_schema, { inlineRefs: true, compact: true, maxLength: 4_000 });
  return `declare module ${stringLiteral(specifier)} {\n  export function ${skill.name}(input: ${input.type}): Promise<any>;\n}`;
}
