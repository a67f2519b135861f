/**
 * Shared fixtures for the prepare tests: a module catalog, a guard name, and a checker that parses prepared output
 * and verifies every function body starts with the guard call and every loop body with a step on the meter.
 */
import { parse } from "acorn";
import { prepareCode } from "../../../src/sandbox/prepare";
import type { PrepareInput, PrepareResult } from "../../../src/sandbox/prepare-types";

export const GUARD = "__cg_step_3f9a1c";

export const MODULES: PrepareInput["modules"] = {
  servers: {
    workspace: ["read_file", "write_file", "list_directory", "search_files", "move_file"],
    github: ["create_issue", "list_issues", "get_pull_request"],
  },
  gateway: ["state", "progress"],
  skills: {
    copy_tree: { latest: 3, versions: [1, 2, 3], exports: ["copy_tree"] },
    summarize: { latest: 1, versions: [1], exports: ["summarize", "summarize_many"] },
  },
};

export function prepare(code: string): PrepareResult {
  return prepareCode({ code, modules: MODULES, guardName: GUARD });
}

/** Prepares code that must fail and returns the error. */
export function failure(code: string) {
  const result = prepare(code);
  if (result.ok) throw new Error(`expected an error, got:\n${result.code}`);
  return result.error;
}

/** Prepares code that must succeed and returns the output. */
export function prepared(code: string): string {
  const result = prepare(code);
  if (!result.ok) throw new Error(`expected ok, got ${result.error.kind}: ${result.error.message}`);
  return result.code;
}

type AnyNode = { type: string; start: number; end: number; [key: string]: any };

function isGuardCall(node: AnyNode | undefined): boolean {
  return node?.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === GUARD;
}

function startsWithGuard(block: AnyNode): boolean {
  const first = block.body[0];
  return first?.type === "ExpressionStatement" && isGuardCall(first.expression);
}

const ALIAS = `${GUARD}_m`;

/** `if (++<alias>.n > <alias>.max) <alias>.over();`: a loop step counted on the meter's alias (prepare-walk.ts). */
function isLoopGuard(statement: AnyNode | undefined): boolean {
  if (statement?.type !== "IfStatement" || statement.alternate) return false;
  const { test, consequent } = statement;
  const member = (node: AnyNode, property: string) =>
    node?.type === "MemberExpression" &&
    node.object.type === "Identifier" &&
    node.object.name === ALIAS &&
    node.property.name === property;
  return (
    test.type === "BinaryExpression" &&
    test.operator === ">" &&
    test.left.type === "UpdateExpression" &&
    test.left.operator === "++" &&
    test.left.prefix &&
    member(test.left.argument, "n") &&
    member(test.right, "max") &&
    consequent.type === "ExpressionStatement" &&
    consequent.expression.type === "CallExpression" &&
    consequent.expression.arguments.length === 0 &&
    member(consequent.expression.callee, "over")
  );
}

/** Whether a function or static block body declares the meter's alias among its first two statements. */
function declaresAlias(body: AnyNode): boolean {
  return body.body
    .slice(0, 2)
    .some(
      (s: AnyNode) =>
        s.type === "VariableDeclaration" &&
        s.kind === "const" &&
        s.declarations[0]?.id.name === ALIAS &&
        s.declarations[0]?.init?.name === `${GUARD}_meter`,
    );
}

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/**
 * Parses prepared output and checks the guard invariant. Returns counts per kind; throws naming the first loop,
 * function or static block whose body does not start with the guard, or the first loop whose innermost function
 * (or static block, or the wrapper `__cg_main`) does not alias the meter. The wrapper itself is not counted.
 */
export function guardCensus(output: string): { loops: number; functions: number; staticBlocks: number; calls: number } {
  const program = parse(output, { ecmaVersion: "latest", sourceType: "module" }) as unknown as AnyNode;
  const census = { loops: 0, functions: 0, staticBlocks: 0, calls: 0 };
  // `scope`: the body (a block) of the innermost function or static block around the node.
  const stack: Array<{ node: AnyNode; scope: AnyNode | null }> = [{ node: program, scope: null }];
  while (stack.length > 0) {
    const { node, scope: around } = stack.pop()!;
    let scope = around;
    const where = () => `${node.type} at ${node.start}: ${output.slice(node.start, node.start + 60)}`;
    if (LOOPS.has(node.type)) {
      census.loops++;
      if (node.body.type !== "BlockStatement" || !isLoopGuard(node.body.body[0]))
        throw new Error(`unguarded ${where()}`);
      if (!scope || !declaresAlias(scope)) throw new Error(`no meter alias in scope of ${where()}`);
    } else if (FUNCTIONS.has(node.type)) {
      scope = node.body.type === "BlockStatement" ? node.body : null;
      if (node.id?.name !== "__cg_main") {
        census.functions++;
        const body = node.body;
        const ok =
          body.type === "BlockStatement"
            ? startsWithGuard(body)
            : body.type === "SequenceExpression" && isGuardCall(body.expressions[0]);
        if (!ok) throw new Error(`unguarded ${where()}`);
      }
    } else if (node.type === "StaticBlock") {
      census.staticBlocks++;
      scope = node;
      if (!startsWithGuard(node)) throw new Error(`unguarded ${where()}`);
    } else if (isGuardCall(node)) {
      census.calls++;
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) if (item && typeof item.type === "string") stack.push({ node: item, scope });
    }
  }
  return census;
}
