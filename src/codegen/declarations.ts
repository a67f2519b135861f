/**
 * TypeScript declarations of catalog tools, the API the model reads before writing code: a full declaration
 * per tool (`get_tool_details`), a one-line signature (search listings) and a whole `servers/<id>` module.
 * The generated text is valid TypeScript whatever the upstream sent: names are identifiers from
 * `assignIdentifiers` (checked), strings are literals from `stringLiteral`, documentation goes through
 * `cleanText` and `docComment`.
 */
import type { CatalogTool } from "../registry/registry-types";
import { NEEDS_TASKS_NOTE } from "../registry/task-support";
import { cleanText } from "./clean";
import { docComment } from "./jsdoc";
import { jsonPreview, stringLiteral } from "./literal";
import { isSafeIdentifier, toTypeName } from "./names";
import { schemaToTypes, type TypeDefinition } from "./schema-to-ts";

/** Longest one-line signature before falling back to named types. */
export const MAX_SIGNATURE_LENGTH = 300;
/** At most this many input examples are shown per tool, each at most this long as JSON. */
const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_JSON = 1000;

/**
 * The full declaration of one tool, as `get_tool_details` shows it:
 *
 * ```ts
 * export interface ReadFileInput { … }
 * export type ReadFileOutput = unknown;
 * /** Description … *\/
 * export declare function read_file(args: ReadFileInput): Promise<ReadFileOutput>;
 * ```
 *
 * preceded by the named types its `$ref`s use. Throws when `tool.id` is not a safe identifier.
 */
export function toolDeclaration(tool: CatalogTool, options: DeclarationOptions = {}): string {
  const typeName = toTypeName(tool.id);
  return renderTool(tool, typeName, new Set([`${typeName}Input`, `${typeName}Output`]), false, options);
}

/** A result type for a tool without `outputSchema`, e.g. one inferred from the results it returned. */
export interface OutputOverride {
  /** A TypeScript type expression. */
  type: string;
  /** Documentation lines of the output type (why it is what it is). */
  doc: string[];
}

/** Options of the declaration renderers. */
export interface DeclarationOptions {
  /** The result type of a tool that declares no `outputSchema` (default `unknown`); a declared schema always wins. */
  outputType?: (tool: CatalogTool) => OutputOverride | undefined;
}

/**
 * A one-line call signature for search listings, the input type inline when it fits:
 * `read_file(args: { path: string }): Promise<unknown>`. Longer than `MAX_SIGNATURE_LENGTH`, it falls back to
 * the named types of `toolDeclaration`: `read_file(args: ReadFileInput): Promise<unknown>`. The result type is the
 * one `toolDeclaration` gives with the same options: the declared output, else `outputType`'s, else `unknown`.
 */
export function toolSignature(tool: CatalogTool, options: DeclarationOptions = {}): string {
  const id = checkedId(tool);
  const typeName = toTypeName(tool.id);
  const inline = (schema: unknown): string | undefined => {
    const result = schemaToTypes(schema as CatalogTool["inputSchema"], {
      compact: true,
      inlineRefs: true,
      maxLength: MAX_SIGNATURE_LENGTH,
    });
    return result.truncated ? undefined : result.type;
  };
  const input = inline(tool.inputSchema);
  const override = tool.outputSchema === undefined ? options.outputType?.(tool) : undefined;
  const output =
    tool.outputSchema !== undefined
      ? inline(tool.outputSchema)
      : override
        ? override.type.length <= MAX_SIGNATURE_LENGTH && !override.type.includes("\n")
          ? override.type
          : undefined
        : "unknown";
  const namedOutput = tool.outputSchema === undefined && !override ? "unknown" : `${typeName}Output`;
  const candidates = [
    input !== undefined && output !== undefined ? `${id}(args: ${input}): Promise<${output}>` : undefined,
    input !== undefined ? `${id}(args: ${input}): Promise<${namedOutput}>` : undefined,
  ];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate.length <= MAX_SIGNATURE_LENGTH) return candidate;
  }
  return `${id}(args: ${typeName}Input): Promise<${namedOutput}>`;
}

/**
 * `declare module "servers/<serverId>" { … }` with every tool's declaration (sorted by id). Type names are
 * unique across the module: tools whose ids share a PascalCase form get `2`, `3`, … appended, and
 * definitions never reuse a name.
 */
export function serverModuleDeclaration(
  serverId: string,
  tools: CatalogTool[],
  options: DeclarationOptions = {},
): string {
  const sorted = [...tools].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const taken = new Set<string>();
  const typeNames = sorted.map((tool) => {
    const base = toTypeName(tool.id);
    let name = base;
    for (let n = 2; taken.has(`${name}Input`) || taken.has(`${name}Output`); n++) name = `${base}${n}`;
    taken.add(`${name}Input`);
    taken.add(`${name}Output`);
    return name;
  });
  const body = sorted.map((tool, i) => indent(renderTool(tool, typeNames[i]!, taken, true, options))).join("\n\n");
  return `declare module ${stringLiteral(`servers/${serverId}`)} {\n${body}${body ? "\n" : ""}}`;
}

/**
 * Declarations of one tool. `taken` holds the type names already in use in the enclosing scope (including
 * this tool's Input/Output names) and receives the definitions' names. `ambient` drops `declare` (it is an
 * error inside `declare module`).
 */
function renderTool(
  tool: CatalogTool,
  typeName: string,
  taken: Set<string>,
  ambient: boolean,
  options: DeclarationOptions,
): string {
  const id = checkedId(tool);
  const inputName = `${typeName}Input`;
  const outputName = `${typeName}Output`;
  const blocks: string[] = [];
  const input = schemaToTypes(tool.inputSchema, { namePrefix: typeName, rootName: inputName, reservedNames: taken });
  for (const def of input.definitions) taken.add(def.name);
  const output =
    tool.outputSchema === undefined
      ? undefined
      : schemaToTypes(tool.outputSchema, { namePrefix: typeName, rootName: outputName, reservedNames: taken });
  for (const def of output?.definitions ?? []) taken.add(def.name);

  for (const def of [...input.definitions, ...(output?.definitions ?? [])]) blocks.push(typeBlock(def));
  blocks.push(typeBlock({ name: inputName, type: input.type, isObject: input.isObject, doc: [] }));
  const override = output ? undefined : options.outputType?.(tool);
  blocks.push(
    typeBlock({
      name: outputName,
      type: output?.type ?? override?.type ?? "unknown",
      isObject: output?.isObject ?? false,
      doc: override?.doc ?? [],
    }),
  );
  const doc = docComment(functionDoc(tool, id));
  const declare = ambient ? "export function" : "export declare function";
  blocks.push(`${doc ? `${doc}\n` : ""}${declare} ${id}(args: ${inputName}): Promise<${outputName}>;`);
  return blocks.join("\n");
}

/** The function's JSDoc: full description, the upstream name when it differs, examples as calls. */
function functionDoc(tool: CatalogTool, id: string): string[] {
  const lines: string[] = [];
  const description = cleanText(tool.description);
  if (description) lines.push(description);
  if (tool.needsTasks) lines.push(...(lines.length ? [""] : []), `Cannot be called: ${NEEDS_TASKS_NOTE}.`);
  if (tool.name !== id) lines.push("", `Upstream name: ${stringLiteral(tool.name)}`);
  const examples = Array.isArray(tool.examples) ? tool.examples : [];
  let shown = 0;
  for (const example of examples) {
    if (shown >= MAX_EXAMPLES) break;
    const json = jsonPreview(example, MAX_EXAMPLE_JSON);
    if (json === undefined) continue;
    // A blank line first: tags belong after the prose.
    if (shown === 0) lines.push("");
    lines.push("@example", `await ${id}(${json});`);
    shown++;
  }
  return lines;
}

function typeBlock(def: TypeDefinition): string {
  const doc = docComment(def.doc);
  const declaration = def.isObject
    ? `export interface ${def.name} ${def.type}`
    : `export type ${def.name} = ${def.type};`;
  return doc ? `${doc}\n${declaration}` : declaration;
}

function checkedId(tool: CatalogTool): string {
  if (!isSafeIdentifier(tool.id))
    throw new Error(`codegen: tool id ${stringLiteral(String(tool.id))} is not a safe identifier`);
  return tool.id;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `  ${line}` : line))
    .join("\n");
}
