/**
 * @module typecheck/type-named-tools
 * The tools of a large server that the type names a program imports belong to. A server's module names each tool's
 * types after it (src/codegen/declarations.ts): `read_file` declares `ReadFileInput`, `ReadFileOutput` and its
 * schema's definitions (`ReadFileEntry`), all starting with the tool's type name, and tools whose ids share a type
 * name get `2`, `3`, … after it. So a name belongs to the tools whose type name starts it: every such group is
 * declared (a whole group, so the numbers come out as in the whole module). Bounded: the index of a tool list is
 * built once (the registry shares one list per listing), a name is matched by at most MAX_NAME_CHARS lookups, and
 * one name brings at most MAX_TOOLS_PER_NAME tools.
 */
import { toTypeName } from "../codegen/names";
import type { CatalogTool } from "../registry/registry-types";
import { MAX_TYPE_NAME_CHARS } from "../sandbox/prepare-type-imports";

/** Longer names are matched by their first this many characters (the import check keeps no more). */
const MAX_NAME_CHARS = MAX_TYPE_NAME_CHARS;
/** Most tools one type name declares (the groups of its longest prefixes first). */
const MAX_TOOLS_PER_NAME = 16;

const indexes = new WeakMap<readonly CatalogTool[], Map<string, CatalogTool[]>>();

/** The tools of a list by their type name (`ReadFile` for read_file and readFile), built once per list. */
function byTypeName(tools: readonly CatalogTool[]): Map<string, CatalogTool[]> {
  let index = indexes.get(tools);
  if (!index) {
    index = new Map();
    for (const tool of tools) {
      const name = toTypeName(tool.id);
      const group = index.get(name);
      if (group) group.push(tool);
      else index.set(name, [tool]);
    }
    indexes.set(tools, index);
  }
  return index;
}

/** The ids of the tools of `tools` that the type names `names` belong to (see the module comment). */
export function toolsNamedByTypes(tools: readonly CatalogTool[], names: readonly string[]): Set<string> {
  const ids = new Set<string>();
  if (names.length === 0) return ids;
  const index = byTypeName(tools);
  for (const name of names) {
    let found = 0;
    for (let end = Math.min(name.length, MAX_NAME_CHARS); end > 0 && found < MAX_TOOLS_PER_NAME; end--) {
      const group = index.get(name.slice(0, end));
      if (!group) continue;
      for (const tool of group.slice(0, MAX_TOOLS_PER_NAME - found)) ids.add(tool.id);
      found += Math.min(group.length, MAX_TOOLS_PER_NAME);
    }
  }
  return ids;
}
