/**
 * @module scope/scope-analysis
 * What a program's top level declares, read from its syntax tree: the names of its `const`, `let` and `var`
 * bindings (including every name a destructuring pattern binds), its function and class declarations with their
 * source, and its imports. This is what a notebook-like context carries to the next execution (src/scope/).
 * Pure; only the top level is read, so the work is linear in the number of top-level statements and patterns.
 */
import type { ImportDeclaration, Node, Pattern, Program } from "acorn";

/** A top-level function or class declaration, carried as its (type-stripped) source. */
export interface CarriedDeclaration {
  name: string;
  kind: "function" | "class";
  source: string;
}

/** One imported binding: `import { imported as local } from "source"` (`*` for a namespace import). */
export interface CarriedImport {
  local: string;
  imported: string;
  source: string;
}

/** The program's top-level bindings, each list in source order. */
export interface TopLevelScope {
  /** Names bound by top-level `const`, `let` and `var` declarations. */
  values: string[];
  declarations: CarriedDeclaration[];
  imports: CarriedImport[];
}

/** Every name a binding pattern binds (`{ a, b: [c, ...d] = [] }` binds a, c, d). */
export function patternNames(pattern: Pattern, out: string[] = []): string[] {
  // An explicit stack: a pattern nested thousands deep must not overflow the host's stack.
  const stack: Node[] = [pattern];
  const found: string[] = [];
  while (stack.length > 0) {
    const node = stack.pop() as Node & Record<string, unknown>;
    switch (node.type) {
      case "Identifier":
        found.push(node.name as string);
        break;
      case "ObjectPattern":
        for (const property of node.properties as Array<Node & Record<string, unknown>>) {
          stack.push((property.type === "RestElement" ? property.argument : property.value) as Node);
        }
        break;
      case "ArrayPattern":
        for (const element of node.elements as Array<Node | null>) if (element) stack.push(element);
        break;
      case "RestElement":
        stack.push(node.argument as Node);
        break;
      case "AssignmentPattern":
        stack.push(node.left as Node);
        break;
    }
  }
  // The stack visits right to left; source order reads better in results.
  out.push(...found.reverse());
  return out;
}

function importName(specifier: ImportDeclaration["specifiers"][number]): string {
  if (specifier.type === "ImportNamespaceSpecifier") return "*";
  if (specifier.type === "ImportDefaultSpecifier") return "default";
  const imported = specifier.imported;
  return imported.type === "Identifier" ? imported.name : String(imported.value);
}

/** Reads the top-level bindings of `program`, whose source text is `code`. */
export function topLevelScope(program: Program, code: string): TopLevelScope {
  const scope: TopLevelScope = { values: [], declarations: [], imports: [] };
  for (const statement of program.body) {
    switch (statement.type) {
      case "VariableDeclaration":
        for (const declarator of statement.declarations) patternNames(declarator.id, scope.values);
        break;
      case "FunctionDeclaration":
      case "ClassDeclaration":
        if (statement.id) {
          scope.declarations.push({
            name: statement.id.name,
            kind: statement.type === "FunctionDeclaration" ? "function" : "class",
            source: code.slice(statement.start, statement.end),
          });
        }
        break;
      case "ImportDeclaration":
        for (const specifier of statement.specifiers) {
          scope.imports.push({
            local: specifier.local.name,
            imported: importName(specifier),
            source: String(statement.source.value),
          });
        }
        break;
    }
  }
  return scope;
}

/** Every name the program's top level binds, of any kind. */
export function boundNames(scope: TopLevelScope): Set<string> {
  return new Set([...scope.values, ...scope.declarations.map((d) => d.name), ...scope.imports.map((i) => i.local)]);
}
