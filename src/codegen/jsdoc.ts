/**
 * JSDoc blocks in generated declarations. Their text comes from upstreams, so it must not be able to close
 * the comment early (`*\/` inside a description would let it inject declarations): every `*\/` is broken.
 */

/**
 * A JSDoc block for `lines` (each may itself contain newlines), indented by `indent`: `/** text *\/` for a
 * single short line, a multi-line block otherwise, `""` when there is no text. Leading and trailing blank
 * lines are dropped; lines are right-trimmed.
 */
export function docComment(lines: readonly string[], indent = ""): string {
  const body = lines.flatMap((line) => line.split("\n")).map((line) => line.replace(/\*\//g, "*\\/").trimEnd());
  while (body.length > 0 && body[0] === "") body.shift();
  while (body.length > 0 && body[body.length - 1] === "") body.pop();
  if (body.length === 0) return "";
  if (body.length === 1 && indent.length + body[0]!.length <= 100) {
    return `${indent}/** ${body[0]} */`;
  }
  return [`${indent}/**`, ...body.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`].join(
    "\n",
  );
}
