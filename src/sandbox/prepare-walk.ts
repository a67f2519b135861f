/**
 * @module sandbox/prepare-walk
 * One pass over the agent's syntax tree that finds what the prepared module must change or refuse: the step-guard
 * insertion points (every loop body, function body and class static block), import declarations, and constructs
 * the sandbox does not allow. Iterative rather than recursive, so a tree the parser managed to build can never
 * overflow the host's stack here.
 */
import type { ImportDeclaration, Node, Program } from "acorn";
import { close, type Edit, open } from "./prepare-edits";

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
}

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
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

/** Collects guard edits and problems for the tree of `program` (the stripped `code`), guard call `call` (`g();`). */
export function walkProgram(program: Program, code: string, guardName: string): WalkResult {
  const call = `${guardName}();`;
  const result: WalkResult = { imports: [], edits: [], problems: [], referenced: new Set() };
  const { edits, problems } = result;

  /** Puts the guard first in a loop body; a single-statement body gets braces (no newline: lines must hold). */
  const guardLoopBody = (body: AnyNode, depth: number) => {
    if (body.type === "BlockStatement") {
      edits.push(open(body.start + 1, call, depth));
    } else {
      edits.push(open(body.start, `{${call}`, depth), close(body.end, "}", depth));
    }
  };

  const stack: Array<{ node: AnyNode; depth: number }> = [{ node: program as unknown as AnyNode, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    switch (node.type) {
      case "ImportDeclaration":
        result.imports.push(node as unknown as ImportDeclaration);
        continue; // Its identifiers are checked against the module catalog instead.
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
        problems.push({
          kind: "syntax",
          message:
            "export is not allowed here: the code is the body of one run, not a library. Use `return <value>` to give the result.",
          offset: node.start,
        });
        break;
      case "CallExpression": {
        const callee = node.callee as AnyNode;
        if (callee.type === "Identifier" && callee.name === "require") {
          problems.push({
            kind: "import",
            message:
              'require() is not supported: use a static import at the top, e.g. import { read_file } from "servers/workspace".',
            offset: node.start,
          });
        }
        break;
      }
      case "Identifier": {
        const name = node.name as string;
        if (name.startsWith(RESERVED_PREFIX)) {
          problems.push({
            kind: "reserved",
            message: `Identifiers starting with "${RESERVED_PREFIX}" are reserved for the gateway; rename "${name}".`,
            offset: node.start,
          });
        }
        result.referenced.add(name);
        break;
      }
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "WhileStatement":
      case "DoWhileStatement":
        guardLoopBody(node.body as AnyNode, depth);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        // Methods, getters/setters, constructors and class-field arrows are FunctionExpression/Arrow nodes too.
        const body = node.body as AnyNode;
        if (body.type === "BlockStatement") {
          edits.push(open(body.start + 1, call, depth));
        } else {
          // The comma expression keeps an expression body an expression: `x => (g(), x + 1)`.
          edits.push(open(body.start, `(${guardName}(), `, depth), close(body.end, ")", depth));
        }
        break;
      }
      case "StaticBlock": {
        const brace = skipTrivia(code, node.start + "static".length);
        if (code[brace] !== "{") throw new Error(`prepare: no "{" after static at ${node.start}`);
        edits.push(open(brace + 1, call, depth));
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
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: depth + 1 });
  }
  return result;
}
