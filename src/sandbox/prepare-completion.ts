/**
 * @module sandbox/prepare-completion
 * The value of the agent's last expression, as a notebook cell or a REPL shows it: code that ends with `1 + 1` or
 * `await read_file(…)` returns that value instead of `undefined`. The rule is narrow so it never changes what an
 * explicit `return` means: only when the program has no top-level `return` anywhere (in any branch, loop or block
 * outside functions), and only the last top-level statement, when it is an expression statement. Imports, empty
 * statements and `export {}` after it do not count (imports are hoisted; the other two do nothing).
 */
import type { Node, Program } from "acorn";
import { type Edit, open } from "./prepare-edits";

type AnyNode = Node & Record<string, unknown>;

/**
 * Is there a `return` outside every function? Only statements can hold one, so expressions (and the functions in
 * them) are never entered. Iterative, without spreading: a program may have hundreds of thousands of statements.
 */
function hasTopLevelReturn(program: Program): boolean {
  const stack: AnyNode[] = [...(program.body as unknown as AnyNode[])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.type) {
      case "ReturnStatement":
        return true;
      case "BlockStatement":
        for (const child of node.body as AnyNode[]) stack.push(child);
        break;
      case "IfStatement":
        stack.push(node.consequent as AnyNode);
        if (node.alternate) stack.push(node.alternate as AnyNode);
        break;
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "WhileStatement":
      case "DoWhileStatement":
      case "LabeledStatement":
      case "WithStatement":
        stack.push(node.body as AnyNode);
        break;
      case "TryStatement":
        stack.push(node.block as AnyNode);
        if (node.handler) stack.push((node.handler as AnyNode).body as AnyNode);
        if (node.finalizer) stack.push(node.finalizer as AnyNode);
        break;
      case "SwitchStatement":
        for (const c of node.cases as AnyNode[]) for (const child of c.consequent as AnyNode[]) stack.push(child);
        break;
    }
  }
  return false;
}

/** Statements after the last one that does something: hoisted imports, `;` and `export {}`. */
function isInert(node: AnyNode): boolean {
  return (
    node.type === "ImportDeclaration" ||
    node.type === "EmptyStatement" ||
    (node.type === "ExportNamedDeclaration" && !node.declaration && !node.source)
  );
}

/**
 * The edit that returns the value of the program's last expression statement (`return ` put in front of it, on its
 * own line), or undefined when the rule does not apply. `return` followed by the statement's first token on the same
 * line parses the rest exactly as the statement did: an expression statement never starts with a line break.
 */
export function completionEdit(program: Program): Edit | undefined {
  const body = program.body as unknown as AnyNode[];
  let last: AnyNode | undefined;
  for (let i = body.length - 1; i >= 0 && !last; i--) if (!isInert(body[i]!)) last = body[i];
  if (last?.type !== "ExpressionStatement" || hasTopLevelReturn(program)) return undefined;
  return open(last.start, "return ", 0);
}
