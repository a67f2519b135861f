/**
 * @module scope/scope-analysis
 * What a program's top level declares, read from its syntax tree: the names of its `const`, `let` and `var`
 * bindings (including every name a destructuring pattern binds), its function and class declarations with their
 * source, and its imports. This is what a notebook-like context carries to the next execution (src/scope/).
 * A class whose declaration runs code (a static block, a static field set by a call, a computed member name, an
 * `extends` call) is not carried: a later execution would have to declare it again, re-running that code, and its
 * effects, each time ({@link classInitCode}).
 * Pure; only the top level is read (and the heads of top-level classes), so the work is linear in the code's size.
 */
import type { ClassDeclaration, ClassExpression, ImportDeclaration, Node, Pattern, Program } from "acorn";
import { LineIndex } from "../sandbox/prepare-location";

/** A top-level function or class declaration, carried as its (type-stripped) source. */
export interface CarriedDeclaration {
  name: string;
  kind: "function" | "class";
  source: string;
  /** The line its declaration starts on in the program that declared it (1-based). */
  line?: number;
  /** The execution that declared it (stored with it, src/scope/scope-store.ts); absent for one stored before. */
  execution?: string;
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
  /** Top-level declarations that are not carried, with the reason (classes whose declaration runs code). */
  uncarried: Array<{ name: string; reason: string }>;
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

/** Built-ins whose plain properties are read without running code (`[Symbol.iterator]`, `static TAU = Math.PI * 2`). */
const INERT_ROOTS = new Set(["Symbol", "Math", "Number", "String", "BigInt", "Object", "Array", "JSON", "Date"]);

/**
 * Whether evaluating `expression` runs none of the agent's code (and so calls no tool): literals, names, `this`,
 * function expressions (made, not called), array and object literals without spreads, operators, and reads of
 * built-ins such as `Symbol.iterator`. Calls, `new`, assignments, other property reads (a getter may run), spreads
 * (an iterator may run), tagged templates, class expressions, `await` and `yield` are not inert.
 * Operators are taken as inert though a carried class could define `valueOf` or `Symbol.hasInstance`.
 */
function isInert(expression: Node): boolean {
  const stack: Node[] = [expression];
  while (stack.length > 0) {
    const node = stack.pop() as Node & Record<string, unknown>;
    switch (node.type) {
      case "Literal":
      case "Identifier":
      case "ThisExpression":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        break;
      case "TemplateLiteral":
        for (const expression of node.expressions as Node[]) stack.push(expression);
        break;
      case "ArrayExpression":
        for (const element of node.elements as Array<Node | null>) {
          if (!element) continue;
          if (element.type === "SpreadElement") return false;
          stack.push(element);
        }
        break;
      case "ObjectExpression":
        for (const property of node.properties as Array<Node & Record<string, unknown>>) {
          if (property.type !== "Property") return false;
          if (property.computed) stack.push(property.key as Node);
          stack.push(property.value as Node);
        }
        break;
      case "UnaryExpression":
        if (node.operator === "delete") return false;
        stack.push(node.argument as Node);
        break;
      case "BinaryExpression":
      case "LogicalExpression":
        stack.push(node.left as Node, node.right as Node);
        break;
      case "ConditionalExpression":
        stack.push(node.test as Node, node.consequent as Node, node.alternate as Node);
        break;
      case "SequenceExpression":
        for (const expression of node.expressions as Node[]) stack.push(expression);
        break;
      case "MemberExpression": {
        const object = node.object as Node & { name?: string };
        if (object.type !== "Identifier" || !INERT_ROOTS.has(object.name!)) return false;
        if (node.computed) stack.push(node.property as Node);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

/**
 * What a class declaration runs when it is evaluated, described for a note (e.g. "a static block"), or undefined
 * when evaluating it runs none of the agent's code. Methods, instance field initializers and default parameters
 * run only when used, so they do not count; static blocks, static field initializers, computed member names and
 * the `extends` expression run at the declaration.
 */
export function classInitCode(node: ClassDeclaration | ClassExpression): string | undefined {
  if (node.superClass && !isInert(node.superClass)) return "an `extends` clause that runs code";
  for (const element of node.body.body) {
    if (element.type === "StaticBlock") return "a static block";
    if (element.computed && !isInert(element.key)) return "a computed member name that runs code";
    if (element.type === "PropertyDefinition" && element.static && element.value && !isInert(element.value)) {
      return "a static field initializer that runs code";
    }
  }
  return undefined;
}

/** The reason a class with code in its declaration (see {@link classInitCode}) is not carried. */
export function classNotCarried(name: string, code: string): string {
  return (
    `not kept: class ${name} runs code when it is declared (${code}), which would run again, with its effects, in ` +
    "every later execution that uses it; declare the class again where you need it, or move that code out of it"
  );
}

/** Reads the top-level bindings of `program`, whose source text is `code`. */
export function topLevelScope(program: Program, code: string): TopLevelScope {
  const scope: TopLevelScope = { values: [], declarations: [], imports: [], uncarried: [] };
  let lines: LineIndex | undefined;
  for (const statement of program.body) {
    switch (statement.type) {
      case "VariableDeclaration":
        for (const declarator of statement.declarations) patternNames(declarator.id, scope.values);
        break;
      case "FunctionDeclaration":
      case "ClassDeclaration":
        if (statement.type === "ClassDeclaration" && statement.id) {
          const init = classInitCode(statement);
          if (init) {
            scope.uncarried.push({ name: statement.id.name, reason: classNotCarried(statement.id.name, init) });
            break;
          }
        }
        if (statement.id) {
          lines ??= new LineIndex(code);
          scope.declarations.push({
            name: statement.id.name,
            kind: statement.type === "FunctionDeclaration" ? "function" : "class",
            source: code.slice(statement.start, statement.end),
            line: lines.locate(statement.start).line,
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
  return new Set([
    ...scope.values,
    ...scope.declarations.map((d) => d.name),
    ...scope.uncarried.map((d) => d.name),
    ...scope.imports.map((i) => i.local),
  ]);
}
