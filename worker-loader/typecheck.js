// The type checker's isolate: the TypeScript compiler checks one program against the declarations the host sends.
// Loaded once under a stable id (LOADER.get) and kept warm: the parsed and bound library files live in module
// state, so a warm check parses only the program and its declarations. It has no bindings and no network; it
// returns diagnostics as plain data and never throws.
import { WorkerEntrypoint } from "cloudflare:workers";
import libs from "./libs.json";
import ts from "./typescript.js";

/** What the sandbox offers besides the ECMAScript library (worker-loader/sandbox-guards.js keeps these). */
const SANDBOX_GLOBALS = `
interface Console { log(...data: any[]): void; info(...data: any[]): void; warn(...data: any[]): void;
  error(...data: any[]): void; debug(...data: any[]): void; trace(...data: any[]): void; table(data: any): void;
  dir(item?: any): void; assert(condition?: boolean, ...data: any[]): void; count(label?: string): void;
  countReset(label?: string): void; time(label?: string): void; timeLog(label?: string): void;
  timeEnd(label?: string): void; group(...data: any[]): void; groupCollapsed(...data: any[]): void; groupEnd(): void; }
declare var console: Console;
declare function setTimeout(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function setInterval(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): number;
declare function clearInterval(id: number | undefined): void;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T>(value: T): T;
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare class TextEncoder { encode(input?: string): Uint8Array; }
declare class TextDecoder { constructor(label?: string); decode(input?: ArrayBuffer | ArrayBufferView): string; }
declare class URLSearchParams { constructor(init?: string | Record<string, string> | [string, string][]);
  get(name: string): string | null; set(name: string, value: string): void; append(name: string, value: string): void;
  has(name: string): boolean; delete(name: string): void; toString(): string; entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>; }
declare class URL { constructor(url: string, base?: string | URL); href: string; origin: string; protocol: string;
  host: string; hostname: string; port: string; pathname: string; search: string; hash: string;
  readonly searchParams: URLSearchParams; toString(): string; toJSON(): string; static canParse(url: string, base?: string): boolean; }
type CryptoAlgorithm = string | { name: string; [parameter: string]: unknown };
interface CryptoKey { readonly type: string; readonly extractable: boolean; readonly algorithm: object; readonly usages: string[]; }
interface SubtleCrypto {
  digest(algorithm: CryptoAlgorithm, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer>;
  importKey(format: string, keyData: any, algorithm: CryptoAlgorithm, extractable: boolean, keyUsages: string[]): Promise<CryptoKey>;
  exportKey(format: string, key: CryptoKey): Promise<any>;
  generateKey(algorithm: CryptoAlgorithm, extractable: boolean, keyUsages: string[]): Promise<any>;
  sign(algorithm: CryptoAlgorithm, key: CryptoKey, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer>;
  verify(algorithm: CryptoAlgorithm, key: CryptoKey, signature: ArrayBuffer | ArrayBufferView, data: ArrayBuffer | ArrayBufferView): Promise<boolean>;
  encrypt(algorithm: CryptoAlgorithm, key: CryptoKey, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer>;
  decrypt(algorithm: CryptoAlgorithm, key: CryptoKey, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer>;
  deriveBits(algorithm: CryptoAlgorithm, baseKey: CryptoKey, length: number): Promise<ArrayBuffer>;
}
declare var crypto: { randomUUID(): string; getRandomValues<T extends ArrayBufferView | null>(array: T): T; readonly subtle: SubtleCrypto };
/** The sandbox's stand-in (worker-loader/sandbox-guards.js): an empty env; the rest refuses with the reason. */
declare var process: { readonly env: Readonly<Record<string, string | undefined>>; getBuiltinModule(id: string): never; exit(code?: number): never; abort(): never };
`;

/** Diagnostics that belong to the gateway's module form, not to the program: `return` at the top level. */
const IGNORED_CODES = new Set([1108]);
const MAX_DIAGNOSTICS = 20;
/**
 * Compiler errors that are definite in the tool surface: assignability, unknown or missing properties, argument
 * count, calling or iterating a promise, unknown exports. Others in a tool call (an implicit `any` of the program's
 * own variable, a possibly-undefined value) are about the program, not the tool.
 */
const TOOL_CODES = new Set([
  2305, 2307, 2322, 2339, 2345, 2348, 2349, 2353, 2362, 2363, 2365, 2488, 2504, 2551, 2554, 2555, 2556, 2559, 2560,
  2561, 2614, 2724, 2739, 2740, 2741, 2769, 2367, 1308, 2801,
]);
const MAX_MESSAGE_CHARS = 2_000;
const MAX_DECLARATION_CACHE = 16;
const LIB_PREFIX = "/lib/lib.";

const OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  // Agents write `catch (e) { e.message }` everywhere; as `unknown` (strict's default) every such program came back
  // with a warning that says nothing about the tools it calls.
  useUnknownInCatchVariables: false,
  noEmit: true,
  noLib: true,
  skipLibCheck: true,
  types: [],
  allowJs: true,
  checkJs: true,
  noResolve: false,
  allowUnreachableCode: true,
};

/** Library and globals files, parsed and bound once per isolate (the binder skips files it has bound). */
const libFiles = new Map();
function libFile(name) {
  let file = libFiles.get(name);
  if (!file) {
    const text = name === "/globals.d.ts" ? SANDBOX_GLOBALS : libs.files[name.slice(LIB_PREFIX.length, -5)];
    file = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);
    libFiles.set(name, file);
  }
  return file;
}
/**
 * Parses and binds the library files one at a time, yielding to the event loop between them. Locally every isolate
 * shares one thread, so parsing the whole library in one go (over a second) would stall other users' executions;
 * per file the longest stall is the largest file (lib.es5.d.ts). In production it only spreads the same CPU.
 */
let warming;
function warmLibraries() {
  warming ??= (async () => {
    for (const name of LIB_NAMES) {
      ts.bindSourceFile(libFile(name), OPTIONS);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  })().catch((err) => {
    warming = undefined;
    throw err;
  });
  return warming;
}

/** The previous program: passed as `oldProgram`, so the compiler reuses what did not change (the library files). */
let lastProgram;
const LIB_NAMES = [...Object.keys(libs.files).map((n) => `${LIB_PREFIX}${n}.d.ts`), "/globals.d.ts"];

/** Declarations change only with the catalog and the imports: the last few are reused across checks. */
const declarationCache = new Map();
function declarationFile(text) {
  let file = declarationCache.get(text);
  if (file) {
    declarationCache.delete(text);
  } else {
    file = ts.createSourceFile("/declarations.d.ts", text, ts.ScriptTarget.ES2022, true);
    if (declarationCache.size >= MAX_DECLARATION_CACHE) declarationCache.delete(declarationCache.keys().next().value);
  }
  declarationCache.set(text, file);
  return file;
}

function clip(text) {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** The innermost node of `file` that contains `pos`. */
function nodeAt(file, pos) {
  let node = file;
  for (;;) {
    const child = node.forEachChild((c) => (c.pos <= pos && pos < c.end ? c : undefined));
    if (!child) return node;
    node = child;
  }
}

const hasObservedTag = (node) => ts.getJSDocTags(node).some((tag) => tag.tagName.text === "observed");

/**
 * The top-level declaration inside `declare module "…"` of the declarations file that contains `decl`, as
 * `{ module, name, observed, node, block }`, or undefined. Observed output types carry an `@observed` JSDoc tag.
 */
function declaredIn(decl) {
  let node = decl;
  while (node?.parent && !ts.isModuleBlock(node.parent)) node = node.parent;
  if (!node?.parent || node.getSourceFile().fileName !== "/declarations.d.ts") return undefined;
  const name = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
  if (!name) return undefined;
  return { module: node.parent.parent.name.text, name, observed: hasObservedTag(node), node, block: node.parent };
}

/** The tool function whose result type is the declared type `at` (`read_file` for `ReadFileOutput`). */
function toolReturning(at) {
  const fn = at.block.statements.find(
    (s) => ts.isFunctionDeclaration(s) && s.type?.getText() === `Promise<${at.name}>`,
  );
  return fn?.name ? { module: at.module, name: fn.name.text } : undefined;
}

/** Whether the result type of the tool function `at` is an observed one. */
function returnsObserved(at) {
  const m = ts.isFunctionDeclaration(at.node) && /^Promise<([\w$]+)>$/.exec(at.node.type?.getText() ?? "");
  const out = m && at.block.statements.find((s) => s.name && ts.isIdentifier(s.name) && s.name.text === m[1]);
  return !!out && hasObservedTag(out);
}

/**
 * Where a type comes from: `{ origin: "observed" }` when it rests on an observed output type, `{ origin:
 * "declared" }` when it comes from a declared tool, gateway or skill type (also through Promise, arrays and unions),
 * with the declaration (`at`); else undefined. Bounded in depth.
 */
function typeOrigin(checker, type, depth = 0) {
  if (!type || depth > 4) return undefined;
  let found;
  for (const symbol of [type.aliasSymbol, type.symbol]) {
    for (const decl of symbol?.declarations ?? []) {
      const at = declaredIn(decl);
      if (!at) continue;
      if (at.observed) return { origin: "observed", at };
      found = { origin: "declared", at };
    }
  }
  if (found) return found;
  const parts = [...(type.isUnion?.() ? type.types : []), ...(checker.getTypeArguments?.(type) ?? [])];
  for (const part of parts.slice(0, 8)) {
    const origin = typeOrigin(checker, part, depth + 1);
    if (origin?.origin === "observed") return origin;
    found ??= origin;
  }
  return found;
}

/** The declaration of the tool (or gateway/skill export) a call expression calls, when it is one. */
function calledTool(checker, call) {
  let symbol = checker.getSymbolAtLocation(call.expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  for (const decl of symbol?.declarations ?? []) {
    const at = declaredIn(decl);
    if (at) return at;
  }
  return undefined;
}

/** The tool an expression's value comes from: a tool call, or a variable initialized with one (`const r = read_file(…)`). */
function toolCallOf(checker, expr, depth = 0) {
  while (ts.isParenthesizedExpression(expr) || ts.isAwaitExpression(expr)) expr = expr.expression;
  if (ts.isCallExpression(expr)) return calledTool(checker, expr);
  if (!ts.isIdentifier(expr) || depth > 0) return undefined;
  const decl = checker.getSymbolAtLocation(expr)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  return toolCallOf(checker, decl.initializer, 1);
}

const asTool = (at) => (at ? { module: at.module, name: at.name } : undefined);

/** A classification resting on a type's origin, naming the tool whose declaration explains it. */
function fromOrigin(found) {
  const tool = ts.isFunctionDeclaration(found.at.node) ? asTool(found.at) : toolReturning(found.at);
  return { surface: found.origin === "observed" ? "observed" : "tool", ...(tool ? { tool } : {}) };
}

/** Whether `type` is a server module's namespace (`import * as ws from "servers/…"`), as the host declared it. */
function isServerNamespace(type) {
  return (type.symbol?.declarations ?? []).some(
    (d) =>
      ts.isModuleDeclaration(d) &&
      ts.isStringLiteral(d.name) &&
      d.name.text.startsWith("servers/") &&
      d.getSourceFile().fileName === "/declarations.d.ts",
  );
}

/**
 * Whether a diagnostic concerns the tool surface: an argument of a tool call, an import of a gateway module, or a
 * property read on a tool's result (or on its promise: a missing `await`). Walks up from the diagnostic to the
 * nearest property access or call that decides it.
 */
function classify(checker, file, start) {
  for (let node = nodeAt(file, start); node && node !== file; node = node.parent) {
    // Value imports were checked before the checker runs; what it still finds there is about type-only names.
    if (ts.isImportDeclaration(node)) return { surface: "other" };
    if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && node.expression.end <= start) {
      const type = checker.getTypeAtLocation(node.expression);
      // A member of a server module's namespace (`ws.read_fil`) that it does not export: no such tool.
      if (isServerNamespace(type)) return { surface: "tool" };
      const found = typeOrigin(checker, type);
      if (found) return fromOrigin(found);
      // A result typed `any` has no wrong reads; one typed by a primitive (an observed text result) has no origin.
      const at = toolCallOf(checker, node.expression);
      if (!at) return { surface: "other" };
      const promise = type.symbol?.name === "Promise";
      return {
        surface: !promise && returnsObserved(at) ? "observed" : "tool",
        tool: asTool(at),
        ...(promise ? { hint: "Did you forget to use 'await'? Tools return promises." } : {}),
      };
    }
    // Only a call that names a tool is in the tool surface; calling through a computed value (iterating a
    // namespace import, a union of functions) is the program's own dynamic code.
    if (ts.isCallExpression(node)) {
      const at = calledTool(checker, node);
      if (at) return { surface: "tool", tool: asTool(at) };
    }
    if (ts.isVariableDeclaration(node) && node.initializer && node.type) {
      const found = typeOrigin(checker, checker.getTypeAtLocation(node.initializer));
      if (found) return fromOrigin(found);
    }
    if (ts.isFunctionLike(node) || ts.isBlock(node)) break;
  }
  return { surface: "other" };
}

/**
 * The program as the checker sees it. A top-level `return` is legal in the gateway's module form, but the compiler
 * stops at its grammar error without checking the returned expression; `void (` … `)` (the same length up to the
 * expression's end, so its columns stay put) has it checked. `export {}` makes even an import-free program a module, where top-level await is allowed.
 */
function agentSource(name, code) {
  const text = `${code}\nexport {};\n`;
  const parsed = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, false);
  const returns = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) returns.push(node);
    node.forEachChild(visit);
  };
  parsed.forEachChild(visit);
  if (returns.length === 0) return ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);
  let out = "";
  let from = 0;
  for (const node of returns) {
    const start = node.getStart(parsed);
    if (!node.expression) {
      out += `${text.slice(from, start)}      `;
      from = start + 6;
      continue;
    }
    // `void (` keeps the columns of the expression, and the parentheses admit any expression (an arrow function is
    // not an operand of `void` on its own); only what follows it on its line moves by the closing one.
    const end = node.expression.getEnd();
    out += `${text.slice(from, start)}void (${text.slice(start + 6, end)})`;
    from = end;
  }
  return ts.createSourceFile(name, out + text.slice(from), ts.ScriptTarget.ES2022, true);
}

/**
 * Why a program is not checked, or undefined. Conditional types are where type-level computation (recursion,
 * exponential unions) lives: evaluating them can cost seconds of CPU on a thread other isolates share locally, and
 * a model's program has no need for them. Such a program runs unchecked, as before the checker existed.
 */
function uncheckable(file) {
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isConditionalTypeNode(node) || ts.isInferTypeNode(node)) found = true;
    else node.forEachChild(visit);
  };
  file.forEachChild(visit);
  return found ? "the program declares conditional types, which the checker does not evaluate" : undefined;
}

/** Checks one program against declarations (`declare module "…"` blocks). */
function check({ code, declarations, javascript }) {
  const agentName = javascript ? "/agent.js" : "/agent.ts";
  const agent = agentSource(agentName, code);
  const skipped = uncheckable(agent);
  if (skipped) return { diagnostics: [], total: 0, skipped };
  const decls = declarationFile(declarations);
  const files = new Map([
    [agentName, agent],
    ["/declarations.d.ts", decls],
  ]);
  const host = {
    getSourceFile: (name) => files.get(name) ?? (LIB_NAMES.includes(name) ? libFile(name) : undefined),
    getDefaultLibFileName: () => `${LIB_PREFIX}${libs.root}.d.ts`,
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => files.has(name) || LIB_NAMES.includes(name),
    readFile: () => undefined,
    directoryExists: () => true,
    getDirectories: () => [],
  };
  const program = ts.createProgram({
    rootNames: [...LIB_NAMES, "/declarations.d.ts", agentName],
    options: OPTIONS,
    host,
    ...(lastProgram ? { oldProgram: lastProgram } : {}),
  });
  lastProgram = program;
  const checker = program.getTypeChecker();
  const syntactic = program.getSyntacticDiagnostics(agent);
  const all = syntactic.length ? syntactic : program.getSemanticDiagnostics(agent);
  const out = [];
  let total = 0;
  for (const d of all) {
    if (IGNORED_CODES.has(d.code) || d.start === undefined) continue;
    total++;
    if (out.length >= MAX_DIAGNOSTICS) continue;
    const at = agent.getLineAndCharacterOfPosition(d.start);
    const related = (d.relatedInformation ?? [])
      .filter((r) => r.file === agent && r.start !== undefined)
      .map((r) => ts.flattenDiagnosticMessageText(r.messageText, "\n"));
    const { hint, ...kind } = TOOL_CODES.has(d.code) ? classify(checker, agent, d.start) : { surface: "other" };
    const text = [ts.flattenDiagnosticMessageText(d.messageText, "\n"), ...related];
    if (hint && !text.some((t) => t.includes("await"))) text.push(hint);
    out.push({
      line: at.line + 1,
      column: at.character + 1,
      code: d.code,
      error: d.category === ts.DiagnosticCategory.Error,
      message: clip(text.join("\n")),
      ...kind,
    });
  }
  return { diagnostics: out, total };
}

export default class TypeChecker extends WorkerEntrypoint {
  /** `{ code, declarations, javascript }` -> `{ ok, diagnostics, total }`, never a throw. */
  async check(request) {
    try {
      await warmLibraries();
      return { ok: true, ...check(request) };
    } catch (err) {
      return { ok: false, error: clip(String(err?.stack ?? err)) };
    }
  }
}
