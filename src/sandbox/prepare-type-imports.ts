/**
 * @module sandbox/prepare-type-imports
 * What the program imports for its types only, which stripping removes before the import check sees it: the modules
 * of `import type … from "…"` declarations, and the names they (and inline `import { type X }` specifiers) import,
 * with the members named through an `import type * as N` (`N.ReadFileInput`). The type check declares those
 * modules, and of a large server the tools those names belong to (src/typecheck/type-named-tools.ts); without them
 * the types resolve to nothing and the code runs unchecked. Read from sucrase's tokens; only code that has the
 * words `import` and `type` is parsed again. Bounded: at most MAX_TYPE_IMPORTS declarations and MAX_TYPE_NAMES names,
 * each cut to MAX_TYPE_NAME_CHARS; names imported with value syntax and used only as types (prepare-imports.ts) too.
 */
import { ck, parse, type Token, tt } from "./sucrase-tokens";

/** Most declarations with type-only imports read; the type check declares at most these modules. */
const MAX_TYPE_IMPORTS = 32;
/** Most type names read over all of them (each is matched to a large server's tools). */
export const MAX_TYPE_NAMES = 256;
/** Characters of a type name kept: the type check matches a name to tools by this many (type-named-tools.ts). */
export const MAX_TYPE_NAME_CHARS = 200;

/** One module imported for types, and the names the program imports or names from it. */
export interface TypeImport {
  source: string;
  names: string[];
}

/** The imported name of a specifier token (`"a-b"` for a string name). */
function nameOf(code: string, token: Token): string {
  const text = code.slice(token.start, token.end);
  return token.type === tt.string ? text.slice(1, -1) : text;
}

/** The type-only imports of `code` by module, in first-seen order (see the module comment). */
export function typeImports(code: string): TypeImport[] {
  if (!/\bimport\b/.test(code) || !/\btype\b/.test(code)) return [];
  let tokens: Token[];
  try {
    tokens = parse(code, false, true, false).tokens;
  } catch {
    return [];
  }
  const bySource = new Map<string, TypeImport>();
  /** Locals of `import type * as N`, with the import their members belong to. */
  const namespaces = new Map<string, TypeImport>();
  let count = 0;
  const add = (entry: TypeImport, whole: string) => {
    const name = whole.slice(0, MAX_TYPE_NAME_CHARS);
    if (count >= MAX_TYPE_NAMES || entry.names.includes(name)) return;
    entry.names.push(name);
    count++;
  };
  let declarations = 0;
  for (let i = 0; i < tokens.length && declarations < MAX_TYPE_IMPORTS; i++) {
    if (tokens[i]!.type !== tt._import) continue;
    const next = tokens[i + 1];
    // `import(…)` and `import.meta` are no declarations.
    if (!next || next.type === tt.parenL || next.type === tt.dot) continue;
    const whole = next.contextualKeyword === ck._type && tokens[i + 2]?.contextualKeyword !== ck._from;
    const names: string[] = [];
    let namespace: string | undefined;
    let source: string | undefined;
    let j = whole ? i + 2 : i + 1;
    for (; j < tokens.length; j++) {
      const token = tokens[j]!;
      if (token.type === tt.semi || token.type === tt._import || token.type === tt.eof) break;
      if (token.type === tt.string && tokens[j - 1]?.contextualKeyword === ck._from) {
        source = nameOf(code, token);
        break;
      }
      if (token.type === tt.star && tokens[j + 1]?.contextualKeyword === ck._as && tokens[j + 2]?.type === tt.name) {
        if (whole) namespace = nameOf(code, tokens[j + 2]!);
        j += 2;
      } else if (token.type === tt.braceL) {
        j = specifiers(tokens, j + 1, (imported) => {
          // An inline `type X` is marked as a type by the parser; in `import type { … }` every name is one.
          if (whole || imported.isType) names.push(nameOf(code, imported));
        });
      }
    }
    i = j;
    if (source === undefined || (!whole && names.length === 0)) continue;
    declarations++;
    let entry = bySource.get(source);
    if (!entry) {
      entry = { source, names: [] };
      bySource.set(source, entry);
    }
    for (const name of names) add(entry, name);
    if (namespace !== undefined) namespaces.set(namespace, entry);
  }
  // Members named through a type-only namespace: `N.ReadFileInput`.
  if (namespaces.size > 0) {
    for (let i = 0; i + 2 < tokens.length && count < MAX_TYPE_NAMES; i++) {
      const token = tokens[i]!;
      if (token.type !== tt.name || tokens[i + 1]!.type !== tt.dot || tokens[i + 2]!.type !== tt.name) continue;
      const entry = namespaces.get(code.slice(token.start, token.end));
      if (entry) add(entry, code.slice(tokens[i + 2]!.start, tokens[i + 2]!.end));
    }
  }
  return [...bySource.values()];
}

/**
 * Reads the specifiers of `{ … }` from `start` (after the brace) and calls `found` with each one's imported-name
 * token: `a`, `type a`, `a as b`, `type a as b`. Returns the index of the closing brace (or where the list ended).
 */
function specifiers(tokens: Token[], start: number, found: (imported: Token) => void): number {
  let k = start;
  while (k < tokens.length) {
    const token = tokens[k]!;
    if (token.type === tt.braceR || token.type === tt.semi || token.type === tt.eof) return k;
    if (token.type === tt.comma) {
      k++;
      continue;
    }
    // `type` is a modifier when a name follows that is not `as` ending the specifier (`type as x` imports "type").
    const after = tokens[k + 1];
    const modifier =
      token.contextualKeyword === ck._type &&
      (after?.type === tt.name || after?.type === tt.string) &&
      !(after.contextualKeyword === ck._as && tokens[k + 2]?.type === tt.name && tokens[k + 3]?.type !== tt.name);
    const imported = modifier ? after! : token;
    found(imported);
    // Past the specifier: to the next comma or the closing brace.
    k = modifier ? k + 2 : k + 1;
    while (k < tokens.length && tokens[k]!.type !== tt.comma && tokens[k]!.type !== tt.braceR) {
      if (tokens[k]!.type === tt.semi || tokens[k]!.type === tt.eof) return k;
      k++;
    }
  }
  return k;
}
