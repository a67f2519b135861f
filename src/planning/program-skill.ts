/**
 * @module planning/program-skill
 * A program that worked, as a skill module: its imports stay at the top, its body becomes the default export, an
 * async function taking an empty input object. Imports are found with the parser (on the type-stripped code, which
 * keeps every line on its line) and moved by whole lines, so the program's own TypeScript is kept as written.
 */
import { parse } from "acorn";
import { completionEdit } from "../sandbox/prepare-completion";
import { stripTypes } from "../sandbox/prepare-strip";

export type SkillSource = { ok: true; code: string } | { ok: false; error: string };

/** The skill module for `program` under `name`, or why it cannot be made. */
export function programAsSkill(source: string, name: string): SkillSource {
  const stripped = stripTypes(source);
  if (!stripped.ok) return { ok: false, error: `the program does not parse: ${stripped.problem.message}` };
  let program: ReturnType<typeof parse>;
  try {
    program = parse(stripped.code, {
      ecmaVersion: "latest",
      sourceType: "module",
      locations: true,
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
    });
  } catch (err) {
    return { ok: false, error: `the program does not parse: ${(err as Error).message}` };
  }
  const importLines = new Set<number>();
  for (const node of program.body) {
    if (node.type === "ExportNamedDeclaration" || node.type === "ExportDefaultDeclaration") {
      return { ok: false, error: "the program has exports of its own; only a program body can become a skill" };
    }
    if (node.type !== "ImportDeclaration" || !node.loc) continue;
    for (let line = node.loc.start.line; line <= node.loc.end.line; line++) importLines.add(line);
  }
  // A program whose value is its last expression (execute_code's REPL rule) returns it from the skill too; the
  // insertion is on the expression's own line, so the lines found above stay where they are.
  const completion = completionEdit(program);
  let text = source;
  if (completion) {
    const at = stripped.toOriginal(completion.start);
    text = `${source.slice(0, at)}${completion.text}${source.slice(at)}`;
  }
  const lines = text.split("\n");
  const imports = lines.filter((_, i) => importLines.has(i + 1));
  // Not re-indented: a template literal spanning lines would change.
  const rest = lines.filter((_, i) => !importLines.has(i + 1));
  const code = [
    ...imports,
    ...(imports.length ? [""] : []),
    `export default async function ${name}(_input: Record<string, never> = {}) {`,
    ...rest,
    "}",
    "",
  ].join("\n");
  return { ok: true, code };
}
