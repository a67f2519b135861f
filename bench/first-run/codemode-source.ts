/**
 * @module bench/first-run/codemode-source
 * A corpus program as a model would have written it for `@cloudflare/codemode`: plain JavaScript (codemode's tool
 * description forbids TypeScript, so the types are stripped with the gateway's own stripper), and each
 * `import { a, b } from "servers/NAME"` turned into `const { a, b } = NAME;`, codemode's tool namespace of that
 * server. Everything else, mistakes included, stays as written; codemode wraps the body in its async function.
 */
import { parse } from "acorn";
import { stripTypes } from "../../src/sandbox/prepare-strip";

const SERVER_PREFIX = "servers/";

/** The program for codemode's executor, or why it cannot be produced (a TypeScript syntax error). */
export function codemodeSource(code: string): string {
  const stripped = stripTypes(code);
  if (!stripped.ok) throw new Error(`bench: corpus program does not strip: ${stripped.problem.message}`);
  const js = stripped.code;
  const ast = parse(js, { ecmaVersion: "latest", sourceType: "module", allowReturnOutsideFunction: true });
  let out = "";
  let at = 0;
  for (const node of ast.body) {
    if (node.type !== "ImportDeclaration") continue;
    const source = String(node.source.value);
    if (!source.startsWith(SERVER_PREFIX)) throw new Error(`bench: corpus imports ${source}, not a server`);
    const names = node.specifiers.map((s) => {
      if (s.type !== "ImportSpecifier") throw new Error("bench: corpus imports a default or namespace binding");
      const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
      return imported === s.local.name ? imported : `${imported}: ${s.local.name}`;
    });
    out += `${js.slice(at, node.start)}const { ${names.join(", ")} } = ${source.slice(SERVER_PREFIX.length)};`;
    at = node.end;
  }
  return out + js.slice(at);
}
