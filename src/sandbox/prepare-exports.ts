/**
 * @module sandbox/prepare-exports
 * Reads a skill module's exports from its syntax tree: which function is the skill, and the edits that turn the
 * module into the body of the prepared main function (`export` removed in place, every line kept on its number),
 * which then returns that function. Accepted: `export default async function f(…)` (named or anonymous),
 * `export default f` or `export { f as default }` with `f` declared in the module, and a named export (`export async
 * function <skill name>`, `export const <skill name> = …`, `export { f as <skill name> }`). Other named exports are
 * allowed and stay local: only the skill's function is reachable from `skills/<name>`.
 */
import type { Node, Pattern, Program } from "acorn";
import { blank, close, type Edit, replace } from "./prepare-edits";
import { formatList } from "./prepare-suggest";
import { RESERVED_PREFIX } from "./prepare-walk";

/** The binding that holds an anonymous default export (`export default async function (…)`, `export default x => …`). */
export const SKILL_BINDING = `${RESERVED_PREFIX}_skill`;

/** The skill's function and how to get there, or why the module does not export one. */
export type SkillExports = { ok: true; edits: Edit[]; entry: string } | { ok: false; message: string; offset?: number };

/** What a top-level name is bound to, as far as the tree shows without running it. */
type BindingKind = "function" | "class" | "value" | "unknown";

/** One exported name: what importers would call it, the local binding, and where it was exported. */
interface Exported {
  exported: string;
  local: string;
  kind: BindingKind;
  offset: number;
}

type AnyNode = Node & Record<string, unknown>;

/** The kind of value an expression certainly evaluates to, when the tree alone says so. */
function expressionKind(node: AnyNode | null | undefined): BindingKind {
  switch (node?.type) {
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return "function";
    case "ClassExpression":
      return "class";
    case "Literal":
    case "TemplateLiteral":
    case "ObjectExpression":
    case "ArrayExpression":
      return "value";
    default:
      return "unknown";
  }
}

/** Every name a binding pattern declares (`{ a, b: [c, ...d] = [] }` -> a, c, d). Iterative: patterns can nest deeply. */
function patternNames(pattern: Pattern): Array<{ name: string; offset: number }> {
  const names: Array<{ name: string; offset: number }> = [];
  const stack: AnyNode[] = [pattern as unknown as AnyNode];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.type) {
      case "Identifier":
        names.push({ name: node.name as string, offset: node.start });
        break;
      case "ObjectPattern":
        for (const p of node.properties as AnyNode[]) stack.push(p.type === "RestElement" ? p : (p.value as AnyNode));
        break;
      case "ArrayPattern":
        for (const e of node.elements as Array<AnyNode | null>) if (e) stack.push(e);
        break;
      case "RestElement":
        stack.push(node.argument as AnyNode);
        break;
      case "AssignmentPattern":
        stack.push(node.left as AnyNode);
        break;
    }
  }
  return names;
}

/** Names a declaration binds at the top level, with what each holds. */
function declared(decl: AnyNode): Array<{ name: string; kind: BindingKind; offset: number }> {
  switch (decl.type) {
    case "FunctionDeclaration":
    case "ClassDeclaration": {
      const id = decl.id as AnyNode | null;
      const kind = decl.type === "FunctionDeclaration" ? "function" : "class";
      return id ? [{ name: id.name as string, kind, offset: id.start }] : [];
    }
    case "VariableDeclaration":
      return (decl.declarations as AnyNode[]).flatMap((d) => {
        const id = d.id as AnyNode;
        const kind = id.type === "Identifier" ? expressionKind(d.init as AnyNode | null) : "unknown";
        return patternNames(id as unknown as Pattern).map((n) => ({ ...n, kind }));
      });
    default:
      return [];
  }
}

/** The name in an export specifier: an identifier, or a string (`export { f as "default" }`, ES2022). */
function specifierName(node: AnyNode): string {
  return node.type === "Identifier" ? (node.name as string) : String(node.value);
}

/** `export default` replaced by `const <binding> = `, keeping the line breaks it spanned. */
function bindDefault(code: string, start: number, end: number): Edit {
  return replace(start, end, `const ${SKILL_BINDING} = ${blank(code, start, end).text}`);
}

function describe(kind: BindingKind): string {
  return kind === "class" ? "a class" : "not a function";
}

/**
 * Finds the skill's function among the exports of `program` (parsed from the stripped `code`) and the edits that
 * remove every export while keeping its declaration. `name` is the skill's name. Offsets are into `code`.
 */
export function skillExports(program: Program, code: string, name: string): SkillExports {
  const bindings = new Map<string, BindingKind>();
  for (const statement of program.body as unknown as AnyNode[]) {
    const decl = statement.type.startsWith("Export") ? (statement.declaration as AnyNode | null) : statement;
    if (statement.type === "ImportDeclaration") {
      for (const spec of (statement.specifiers as AnyNode[]) ?? []) {
        bindings.set((spec.local as AnyNode).name as string, "unknown");
      }
    } else if (decl) {
      for (const d of declared(decl)) bindings.set(d.name, d.kind);
    }
  }

  const edits: Edit[] = [];
  const exports: Exported[] = [];
  for (const node of program.body as unknown as AnyNode[]) {
    if (node.type === "ExportAllDeclaration" || (node.type === "ExportNamedDeclaration" && node.source)) {
      return {
        ok: false,
        message:
          "A skill cannot re-export another module (`export … from`): import what it needs and export its own function.",
        offset: node.start,
      };
    }
    if (node.type === "ExportNamedDeclaration") {
      const decl = node.declaration as AnyNode | null;
      if (decl) {
        edits.push(blank(code, node.start, decl.start));
        for (const d of declared(decl))
          exports.push({ exported: d.name, local: d.name, kind: d.kind, offset: d.offset });
        continue;
      }
      const specifiers = node.specifiers as AnyNode[];
      // `export {}` marks a TypeScript file as a module; the walk already blanks it.
      if (specifiers.length === 0) continue;
      edits.push(blank(code, node.start, node.end));
      for (const spec of specifiers) {
        const local = specifierName(spec.local as AnyNode);
        const kind = bindings.get(local) ?? "unknown";
        exports.push({ exported: specifierName(spec.exported as AnyNode), local, kind, offset: spec.start });
      }
      continue;
    }
    if (node.type !== "ExportDefaultDeclaration") continue;
    const decl = node.declaration as AnyNode;
    const id = decl.id as AnyNode | null | undefined;
    if ((decl.type === "FunctionDeclaration" || decl.type === "ClassDeclaration") && id) {
      edits.push(blank(code, node.start, decl.start));
      const kind = decl.type === "FunctionDeclaration" ? "function" : "class";
      exports.push({ exported: "default", local: id.name as string, kind, offset: node.start });
      continue;
    }
    edits.push(bindDefault(code, node.start, decl.start));
    let kind: BindingKind;
    if (decl.type === "FunctionDeclaration" || decl.type === "ClassDeclaration") {
      // An anonymous declaration becomes an expression: end it so the next line cannot continue it.
      edits.push(close(decl.end, ";", 0));
      kind = decl.type === "FunctionDeclaration" ? "function" : "class";
    } else {
      kind = decl.type === "Identifier" ? (bindings.get(decl.name as string) ?? "unknown") : expressionKind(decl);
    }
    exports.push({ exported: "default", local: SKILL_BINDING, kind, offset: node.start });
  }

  const entry =
    exports.find((e) => e.exported === "default") ??
    exports.find((e) => e.exported === name) ??
    (exports.length === 1 ? exports[0] : undefined);
  if (!entry) {
    if (exports.length === 0) {
      return {
        ok: false,
        message: `A skill's code must export its function, e.g. "export default async function ${name}(input) { … }".`,
      };
    }
    return {
      ok: false,
      message:
        `The module exports ${formatList(
          exports.map((e) => JSON.stringify(e.exported)),
          10,
        )}, and none is the default or named ` + `"${name}": mark the skill's function with "export default".`,
      offset: exports[1]!.offset,
    };
  }
  if (entry.kind === "class" || entry.kind === "value") {
    return {
      ok: false,
      message:
        `The skill's export "${entry.exported}" is ${describe(entry.kind)}: export the function that takes the ` +
        `input, e.g. "export default async function ${name}(input) { … }".`,
      offset: entry.offset,
    };
  }
  return { ok: true, edits, entry: entry.local };
}
