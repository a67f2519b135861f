/**
 * The JavaScript module loaded into the sandbox as `servers/<serverId>.js`: one exported function per tool,
 * each forwarding its arguments to the runtime's `call`. It is generated source executed inside the isolate,
 * so nothing untrusted reaches it as code: export names must be safe identifiers (checked, not trusted), and
 * server and tool names are embedded only as string literals (`stringLiteral`: JSON plus escapes for
 * U+2028/U+2029 and invisible characters, so the value is exact and the text unambiguous).
 */
import { stringLiteral } from "./literal";
import { isSafeIdentifier } from "./names";

/**
 * Source of the binding module for `server`:
 *
 * ```js
 * import { call } from "../runtime.js";
 * export const read_file = (args) => call("workspace", "read_file", args);
 * ```
 *
 * one line per tool, in the given order. `server` and `name` are passed to `call` verbatim (the upstream
 * names); `id` is the export name. Throws when an id is not a safe identifier (see `isSafeIdentifier`;
 * `call` itself is never one) or appears twice.
 */
export function bindingModuleSource(server: string, tools: ReadonlyArray<{ id: string; name: string }>): string {
  const serverLiteral = stringLiteral(server);
  const seen = new Set<string>();
  const lines = ['import { call } from "../runtime.js";'];
  for (const { id, name } of tools) {
    if (!isSafeIdentifier(id))
      throw new Error(`codegen: binding id ${stringLiteral(String(id))} is not a safe identifier`);
    if (seen.has(id)) throw new Error(`codegen: binding id ${stringLiteral(id)} appears twice`);
    seen.add(id);
    lines.push(`export const ${id} = (args) => call(${serverLiteral}, ${stringLiteral(name)}, args);`);
  }
  return `${lines.join("\n")}\n`;
}
