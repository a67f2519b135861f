/**
 * @module sandbox/prepare-strip
 * TypeScript to JavaScript with sucrase, keeping every line on its line so stack traces and later errors point at
 * the agent's own line numbers. Plain JavaScript passes through unchanged apart from whitespace.
 */
import { type Options, transform } from "sucrase";
import { createOffsetMapper } from "./prepare-source-map";
import { ck, parse, type Token, tt } from "./sucrase-tokens";

/** A problem found while stripping, located by an offset into the original code. */
export interface StripProblem {
  message: string;
  offset?: number;
}

/** The stripped code, or why it could not be produced. */
export type StripResult =
  | { ok: true; code: string; toOriginal: (offset: number) => number }
  | { ok: false; problem: StripProblem; tooDeep?: boolean };

const SUCRASE_OPTIONS: Options = {
  transforms: ["typescript"],
  // Modern workerd runs ES2022+ natively; transforming class fields etc. would only cost time.
  disableESTransforms: true,
  // Unused imports are validated (and rejected if wrong) instead of silently dropped.
  keepUnusedImports: true,
};

/** Namespaces nested deeper than this are not inspected: one holding only types is refused too (it never loses code). */
const MAX_NAMESPACE_DEPTH = 8;

/** Is this error the engine running out of stack (deeply nested input), rather than a bug? */
export function isStackOverflow(error: unknown): boolean {
  if (error instanceof RangeError) return /call stack|too much recursion/i.test(error.message);
  // Acorn catches its own overflow and rethrows it as a SyntaxError.
  return error instanceof SyntaxError && /stack space/i.test(error.message);
}

/** Sucrase and acorn append "(line:column)" to messages; the caller reports locations itself. */
export function bareMessage(message: string): string {
  return message.replace(/\s*\(\d+:\d+\)\s*$/, "");
}

/**
 * Finds a TypeScript namespace (`namespace N { … }`, `module N { … }`) that sucrase deletes together with runtime code,
 * and returns the offset of its keyword. Sucrase drops every namespace (it parses one as a type); those that hold only
 * types, and ambient ones (`declare namespace`, `declare module "x"`, `declare global`), lose no code and pass.
 * Works on sucrase's own tokens, so layout, comments, strings and `namespace`/`module` as identifiers do not matter.
 */
function findDroppedNamespace(code: string): number | undefined {
  // Cheap gate: sucrase's parser runs a second time only for code that mentions either keyword at all.
  if (!code.includes("namespace") && !code.includes("module")) return undefined;
  return droppedNamespace(code, parse(code, false, true, false).tokens, 0);
}

/** The keyword offset of the first namespace in `code` (sucrase's `tokens` of it) that holds runtime code. */
function droppedNamespace(code: string, tokens: Token[], depth: number): number | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === tt._declare) {
      // `declare namespace|module|global …`: ambient, its body is types only; skip it whole.
      const next = tokens[i + 1];
      if (next && (isNamespaceKeyword(next) || next.contextualKeyword === ck._global)) {
        i = bodyEnd(tokens, i + 1) ?? i + 1;
      }
      continue;
    }
    if (!isNamespaceKeyword(token) || !token.isType) continue;
    // `module "x" { … }` is ambient too (TypeScript allows quoted names only there).
    if (tokens[i + 1]?.type === tt.string) {
      i = bodyEnd(tokens, i) ?? i;
      continue;
    }
    const open = headerEnd(tokens, i);
    if (open === undefined) continue; // `namespace` as a type name, not a declaration
    const close = matchingBrace(tokens, open);
    const body = code.slice(tokens[open]!.end, tokens[close]?.start ?? code.length);
    if (holdsCode(body, depth + 1)) return token.start;
    i = close;
  }
  return undefined;
}

/** Is `token` the word `namespace` or `module` (as sucrase reads it: a name with that contextual keyword)? */
function isNamespaceKeyword(token: Token): boolean {
  return (
    token.type === tt.name && (token.contextualKeyword === ck._namespace || token.contextualKeyword === ck._module)
  );
}

/**
 * The index of the `{` opening a namespace body, given the index of its keyword: `namespace A.B.C {`. A declaration's
 * header is all type tokens (sucrase parses the whole declaration as a type); anything else is not a declaration.
 */
function headerEnd(tokens: Token[], keyword: number): number | undefined {
  let i = keyword + 1;
  for (;;) {
    const name = tokens[i];
    if (!name || name.type !== tt.name || !name.isType) return undefined;
    const next = tokens[i + 1];
    if (next?.type === tt.braceL && next.isType) return i + 1;
    if (next?.type !== tt.dot || !next.isType) return undefined;
    i += 2;
  }
}

/** The index of the last token of the declaration starting with the keyword at `keyword` (its `}`), if it has a body. */
function bodyEnd(tokens: Token[], keyword: number): number | undefined {
  let i = keyword + 1;
  while (tokens[i] && (tokens[i]!.type === tt.name || tokens[i]!.type === tt.dot || tokens[i]!.type === tt.string)) i++;
  return tokens[i]?.type === tt.braceL ? matchingBrace(tokens, i) : undefined;
}

/** The index of the `}` closing the `{` at `open` (template `${` opens a brace too); the last token if unbalanced. */
function matchingBrace(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const type = tokens[i]!.type;
    if (type === tt.braceL || type === tt.dollarBraceL) depth++;
    else if (type === tt.braceR && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/**
 * Does a namespace body hold runtime code? Parsed on its own, sucrase marks exactly its type syntax as types
 * (inside the namespace it marked everything); nested namespaces are checked the same way.
 */
function holdsCode(body: string, depth: number): boolean {
  if (depth > MAX_NAMESPACE_DEPTH) return true;
  let tokens: Token[];
  try {
    tokens = parse(body, false, true, false).tokens;
  } catch {
    return true; // not a program on its own (valid only inside the namespace): assume code
  }
  if (tokens.some((token) => !token.isType && token.type !== tt.eof)) return true;
  return droppedNamespace(body, tokens, depth) !== undefined;
}

/** Strips TypeScript syntax from `code`. */
export function stripTypes(code: string): StripResult {
  let stripped: string;
  let dropped: number | undefined;
  try {
    stripped = transform(code, SUCRASE_OPTIONS).code;
    dropped = findDroppedNamespace(code);
  } catch (error) {
    if (isStackOverflow(error)) return { ok: false, tooDeep: true, problem: { message: "nesting too deep" } };
    const err = error as { message?: unknown; pos?: unknown };
    const message = typeof err.message === "string" ? bareMessage(err.message) : String(error);
    return { ok: false, problem: typeof err.pos === "number" ? { message, offset: err.pos } : { message } };
  }
  if (dropped !== undefined) {
    return {
      ok: false,
      problem: {
        message: "TypeScript namespaces are not supported (their code would be lost); use a plain object instead",
        offset: dropped,
      },
    };
  }
  let mapper: ((offset: number) => number) | undefined;
  const toOriginal = (offset: number): number => {
    if (stripped === code) return offset;
    // Built lazily: only error paths need it, and it costs a second transform.
    if (!mapper) {
      const { sourceMap } = transform(code, {
        ...SUCRASE_OPTIONS,
        filePath: "agent.ts",
        sourceMapOptions: { compiledFilename: "agent.js" },
      });
      mapper = createOffsetMapper(code, stripped, sourceMap?.mappings ?? "");
    }
    return mapper(offset);
  };
  return { ok: true, code: stripped, toOriginal };
}
