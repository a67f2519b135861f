/**
 * Shared fixtures for the prepare tests: a module catalog, a guard name, and a checker that parses prepared output
 * and verifies every loop and function body starts with the guard call.
 */
import { parse } from "acorn";
import { type PrepareInput, type PrepareResult, prepareCode } from "../../../src/sandbox/prepare";

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

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/**
 * Parses prepared output and checks the guard invariant. Returns counts per kind; throws naming the first loop,
 * function or static block whose body does not start with the guard. The wrapper `__cg_main` is exempt.
 */
export function guardCensus(output: string): { loops: number; functions: number; staticBlocks: number; calls: number } {
  const program = parse(output, { ecmaVersion: "latest", sourceType: "module" }) as unknown as AnyNode;
  const census = { loops: 0, functions: 0, staticBlocks: 0, calls: 0 };
  const stack: AnyNode[] = [program];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const where = () => `${node.type} at ${node.start}: ${output.slice(node.start, node.start + 60)}`;
    if (LOOPS.has(node.type)) {
      census.loops++;
      if (node.body.type !== "BlockStatement" || !startsWithGuard(node.body)) throw new Error(`unguarded ${where()}`);
    } else if (FUNCTIONS.has(node.type) && node.id?.name !== "__cg_main") {
      census.functions++;
      const body = node.body;
      const ok =
        body.type === "BlockStatement"
          ? startsWithGuard(body)
          : body.type === "SequenceExpression" && isGuardCall(body.expressions[0]);
      if (!ok) throw new Error(`unguarded ${where()}`);
    } else if (node.type === "StaticBlock") {
      census.staticBlocks++;
      if (!startsWithGuard(node)) throw new Error(`unguarded ${where()}`);
    } else if (isGuardCall(node)) {
      census.calls++;
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) if (item && typeof item.type === "string") stack.push(item);
    }
  }
  return census;
}
