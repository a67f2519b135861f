/**
 * @module sandbox/prepare-walk
 * One pass over the agent's syntax tree that finds what the prepared module must change or refuse: the step-guard
 * insertion points (every loop body, function body and class static block), import declarations, and constructs
 * the sandbox does not allow (dynamic import, require, export, `__cg` names, regex literals no engine can run safely).
 * Regex literals V8 may not run natively are rewritten into calls of the sandbox's planned constructor. Iterative
 * rather than recursive, so a tree the parser managed to build can never overflow the host's stack here.
 */
import type { ImportDeclaration, Node, Program } from "acorn";
import { blank, close, type Edit, open, replace } from "./prepare-edits";
import { classifyRegex, refusalMessage } from "./prepare-regex";

/** Steps a caught exception charges to the budget (see the CatchClause case). */
export const CATCH_STEPS = 100;

/** Identifiers with this prefix belong to the gateway (the guard, the wrapper function). */
export const RESERVED_PREFIX = "__cg";

/** Something the agent code may not do, located by an offset into the stripped code. */
export interface WalkProblem {
  kind: "syntax" | "import" | "reserved";
  message: string;
  offset: number;
}

/** What the walk found. */
export interface WalkResult {
  /** Import declarations in source order. */
  imports: ImportDeclaration[];
  /** Guard insertions. */
  edits: Edit[];
  problems: WalkProblem[];
  /** Every identifier name that appears outside import declarations (conservative: includes property keys). */
  referenced: Set<string>;
  /** Some regex literal was rewritten into a call of `<guardName>_regex` (the header must import it). */
  usesRegex: boolean;
  /** Some loop counts on the step meter (the header must import it as `<guardName>_meter`). */
  usesMeter: boolean;
  /** A loop outside every function: the main function must alias the meter first ({@link meterAlias}). */
  loopsAtTop: boolean;
  /**
   * The code can make a regular expression: it has a regex literal, or names RegExp, match, matchAll or search (as an
   * identifier, a property, or a string). Without any of them the sandbox starts with the small guard
   * (worker-loader/regex-guard-lite.js) instead of the full one and its engine.
   */
  namesRegex: boolean;
  /** Every string the code spells as a literal or a template's text (property names can be written as strings). */
  spelled: Set<string>;
  /**
   * The code reads a property whose name it computes: `o[k]` or `const { [k]: v } = o` with a key that is not a
   * literal. Such code can reach any built-in method without spelling its name (src/sandbox/metered-selection.ts).
   */
  readsComputed: boolean;
}

/** A computed key whose name is known from the source: a literal, or a template without substitutions. */
function isStaticKey(key: AnyNode): boolean {
  return key.type === "Literal" || (key.type === "TemplateLiteral" && (key.expressions as unknown[]).length === 0);
}

/** Name the prepared module gives worker-loader/regex-guard.js's createRegExp. */
export function regexFactoryName(guardName: string): string {
  return `${guardName}_regex`;
}

/** Name the prepared module gives worker-loader/runtime.js's `meter` (the step count loops add to). */
export function meterName(guardName: string): string {
  return `${guardName}_meter`;
}

/**
 * The declaration that starts a function whose body has loops: a local alias of the meter. Loops count through it,
 * `if (++m.n > m.max) m.over();`, and name no imported binding: a loop that did (a call of the guard, even only in
 * that never-taken branch) ran 4 ms slower per million iterations than an unguarded one (worker-loader/runtime.js
 * `meter`).
 */
export function meterAlias(guardName: string): string {
  return `const ${guardName}_m=${meterName(guardName)};`;
}

/** What a loop body starts with: one step counted on the function's alias; past the limit, `over()` throws. */
function loopGuard(guardName: string): string {
  const m = `${guardName}_m`;
  return `if(++${m}.n>${m}.max)${m}.over();`;
}

/** A function (or class static block) whose body may need the meter's alias at its start. */
interface Scope {
  /** Where the alias goes: just after the body's `{`. */
  at: number;
  depth: number;
  hasLoop: boolean;
}

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** Whether V8 accepts the pattern (an invalid one fails at run time with V8's own message). */
function isValidRegex(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

/** Skips whitespace and comments from `pos`. */
function skipTrivia(code: string, pos: number): number {
  let i = pos;
  for (;;) {
    const ch = code.charCodeAt(i);
    if (ch === 47 /* / */ && code.charCodeAt(i + 1) === 47) {
      const end = code.slice(i).search(/[\n\r\u2028\u2029]/);
      i = end === -1 ? code.length : i + end;
    } else if (ch === 47 && code.charCodeAt(i + 1) === 42 /* * */) {
      const end = code.indexOf("*/", i + 2);
      i = end === -1 ? code.length : end + 2;
    } else if (i < code.length && /\s/.test(code[i]!)) {
      i++;
    } else {
      return i;
    }
  }
}

/**
 * Collects guard edits and problems for the tree of `program` (the stripped `code`), guard call `call` (`g();`).
 * `allowExports`: the code is a skill module, whose exports prepare-exports.ts handles.
 */
/** The names through which code can build a RegExp from a string (see {@link WalkResult.namesRegex}). */
const REGEX_NAMES: ReadonlySet<string> = new Set(["RegExp", "match", "matchAll", "search"]);

export function walkProgram(
  program: Program,
  code: string,
  guardName: string,
  options: { allowExports?: boolean } = {},
): WalkResult {
  const call = `${guardName}();`;
  const loopCall = loopGuard(guardName);
  const result: WalkResult = {
    imports: [],
    edits: [],
    problems: [],
    referenced: new Set(),
    usesRegex: false,
    usesMeter: false,
    namesRegex: false,
    loopsAtTop: false,
    spelled: new Set(),
    readsComputed: false,
  };
  const { edits, problems } = result;
  /** Functions and static blocks with a loop of their own (not only in a nested function): they get the alias. */
  const withLoops: Scope[] = [];

  /** Puts the guard first in a loop body; a single-statement body gets braces (no newline: lines must hold). */
  const guardLoopBody = (body: AnyNode, depth: number, scope: Scope | null) => {
    result.usesMeter = true;
    if (scope === null) result.loopsAtTop = true;
    else if (!scope.hasLoop) {
      scope.hasLoop = true;
      withLoops.push(scope);
    }
    if (body.type === "BlockStatement") {
      edits.push(open(body.start + 1, loopCall, depth));
    } else {
      edits.push(open(body.start, `{${loopCall}`, depth), close(body.end, "}", depth));
    }
  };

  /** Agent code must not name (or shadow) the guard or the wrapper, whose names share this prefix. */
  const reserved = (name: string, offset: number) => {
    if (!name.startsWith(RESERVED_PREFIX)) return;
    problems.push({
      kind: "reserved",
      message: `Identifiers starting with "${RESERVED_PREFIX}" are reserved for the gateway; rename "${name}".`,
      offset,
    });
  };

  /**
   * The guard cannot interrupt a native regex match: refuse what no engine can run safely, and route literals whose
   * work is not proven small to the sandbox's planned constructor (a literal would otherwise be a native RegExp).
   */
  const checkRegex = (pattern: string, flags: string, offset: number, end?: number) => {
    const plan = classifyRegex(pattern, flags);
    if (plan.engine === "refused") {
      problems.push({ kind: "syntax", message: `${refusalMessage(pattern, plan.reason)}.`, offset });
    } else if (plan.engine === "linear" && end !== undefined) {
      result.usesRegex = true;
      // A regex literal holds no line break, so the call stays on its line.
      edits.push(
        replace(offset, end, `${regexFactoryName(guardName)}(${JSON.stringify(pattern)}, ${JSON.stringify(flags)})`),
      );
    }
  };

  // `scope`: the innermost function or static block around the node (null outside every one).
  const stack: Array<{ node: AnyNode; depth: number; scope: Scope | null }> = [
    { node: program as unknown as AnyNode, depth: 0, scope: null },
  ];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { node, depth } = entry;
    let scope = entry.scope;
    switch (node.type) {
      case "ImportDeclaration": {
        const decl = node as unknown as ImportDeclaration;
        result.imports.push(decl);
        // Imported names are checked against the module catalog; only the local bindings need the reserved check.
        for (const spec of decl.specifiers) reserved(spec.local.name, spec.local.start);
        continue;
      }
      case "ImportExpression":
        problems.push({
          kind: "import",
          message:
            'Dynamic import() is not supported: use a static import at the top, e.g. import { read_file } from "servers/workspace".',
          offset: node.start,
        });
        break;
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        // `export {}` (the TypeScript idiom that marks a file as a module) exports nothing: drop it quietly.
        if (
          node.type === "ExportNamedDeclaration" &&
          !node.declaration &&
          !node.source &&
          (node.specifiers as unknown[]).length === 0
        ) {
          edits.push(blank(code, node.start, node.end));
          break;
        }
        if (options.allowExports) break;
        problems.push({
          kind: "syntax",
          message:
            "export is not allowed here: the code is the body of one run, not a library. Use `return <value>` to give the result.",
          offset: node.start,
        });
        break;
      case "Literal": {
        const regex = node.regex as { pattern: string; flags: string } | undefined;
        if (regex) {
          result.namesRegex = true;
          checkRegex(regex.pattern, regex.flags, node.start, node.end);
        } else if (typeof node.value === "string") {
          if (REGEX_NAMES.has(node.value)) result.namesRegex = true;
          result.spelled.add(node.value);
        }
        break;
      }
      case "TemplateElement": {
        const cooked = (node.value as { cooked?: string | null }).cooked;
        if (typeof cooked === "string") {
          if (REGEX_NAMES.has(cooked)) result.namesRegex = true;
          result.spelled.add(cooked);
        }
        break;
      }
      case "MemberExpression":
        if (node.computed && !isStaticKey(node.property as AnyNode)) result.readsComputed = true;
        break;
      case "ObjectPattern":
        for (const property of node.properties as AnyNode[]) {
          if (property.type === "Property" && property.computed && !isStaticKey(property.key as AnyNode)) {
            result.readsComputed = true;
          }
        }
        break;
      case "NewExpression":
      case "CallExpression": {
        const callee = node.callee as AnyNode;
        const [first] = node.arguments as AnyNode[];
        if (callee.type === "Identifier" && callee.name === "RegExp" && first?.type === "Literal") {
          const second = (node.arguments as AnyNode[])[1];
          const flags = second === undefined ? "" : second.type === "Literal" ? second.value : undefined;
          if (typeof first.value === "string" && typeof flags === "string" && isValidRegex(first.value, flags)) {
            checkRegex(first.value, flags, first.start);
          }
        }
        if (node.type === "CallExpression" && callee.type === "Identifier" && callee.name === "require") {
          problems.push({
            kind: "import",
            message:
              'require() is not supported: use a static import at the top, e.g. import { read_file } from "servers/workspace".',
            offset: node.start,
          });
        }
        break;
      }
      case "Identifier":
        reserved(node.name as string, node.start);
        result.referenced.add(node.name as string);
        if (REGEX_NAMES.has(node.name as string)) result.namesRegex = true;
        break;
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "WhileStatement":
      case "DoWhileStatement":
        guardLoopBody(node.body as AnyNode, depth, scope);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        // Methods, getters/setters, constructors and class-field arrows are FunctionExpression/Arrow nodes too.
        const body = node.body as AnyNode;
        // An expression body holds no loop of its own; its nested functions get their own scope.
        scope = { at: body.type === "BlockStatement" ? body.start + 1 : -1, depth, hasLoop: false };
        if (body.type === "BlockStatement") {
          edits.push(open(body.start + 1, call, depth));
        } else {
          // The comma expression keeps an expression body an expression: `x => (g(), x + 1)`.
          edits.push(open(body.start, `(${guardName}(), `, depth), close(body.end, ")", depth));
        }
        break;
      }
      case "CatchClause": {
        // Catching an exception costs thousands of times a loop step (a stack overflow caught and retried is ~10 µs):
        // charging only one step would let `function f() { try { f() } catch { f() } }` run for minutes locally.
        const body = node.body as AnyNode;
        edits.push(open(body.start + 1, `${guardName}(${CATCH_STEPS});`, depth));
        break;
      }
      case "StaticBlock": {
        const brace = skipTrivia(code, node.start + "static".length);
        if (code[brace] !== "{") throw new Error(`prepare: no "{" after static at ${node.start}`);
        edits.push(open(brace + 1, call, depth));
        scope = { at: brace + 1, depth, hasLoop: false };
        break;
      }
    }
    // Push children in reverse so they pop (and imports are collected) in source order.
    const children: AnyNode[] = [];
    for (const key in node) {
      if (key === "loc") continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) children.push(item);
      } else if (isNode(value)) {
        children.push(value);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: depth + 1, scope });
  }
  // After the function's own guard call (same place, pushed later, and the sort is stable).
  for (const s of withLoops) {
    if (s.at < 0) throw new Error("prepare: a loop directly in an expression-bodied arrow function");
    edits.push(open(s.at, meterAlias(guardName), s.depth));
  }
  return result;
}
