/**
 * @module sandbox/prepare
 * Turns the agent's code (an ES module body in TypeScript or JavaScript with top-level `await`, imports of
 * `servers/<id>`, `gateway` and `skills/<name>[@<version>]`, and a top-level `return`, or else a final expression
 * whose value is returned: prepare-completion.ts) into `agent.js` for the Worker Loader modules map. A skill module
 * (`skill` set) is prepared the same way, with its exports read by prepare-exports.ts. Pure and synchronous: no
 * I/O, runs in Workers.
 *
 * The output keeps every original line on its line number, so stack traces from the sandbox point at the agent's own
 * lines: imports are hoisted onto line 1 (their old text becomes blank lines), the body is wrapped in
 * `export default async function __cg_main() {` on line 1 and a closing `}` after the last line, and a step guard
 * is inserted at the start of every function body (a call, `<guardName>();`) and loop body (a count on the step
 * meter, prepare-walk.ts) without adding newlines. Local workerd has no CPU limit, so the guard is the only thing
 * that stops `while (true) {}`. No guard can interrupt a native regex match either: regex literals whose work is not
 * proven small become calls of the sandbox's planned constructor (the linear-time engine), and those no engine can
 * run safely are refused (prepare-regex.ts).
 */
import type { Program } from "acorn";
import { topLevelScope } from "../scope/scope-analysis";
import { narrowScope, planScope, scopePrologue } from "../scope/scope-prepare";
import { meteredSelection } from "./metered-selection";
import { completionEdit } from "./prepare-completion";
import { applyEdits, blank, type Edit, editedOffsets, replace } from "./prepare-edits";
import { skillExports } from "./prepare-exports";
import { checkImport, type ImportCheck, type ImportProblem, mergeImports, typeImportUses } from "./prepare-imports";
import { codeFrame, LineIndex, type Location } from "./prepare-location";
import { networkImportProblem } from "./prepare-network";
import { parseProgram } from "./prepare-parse";
import { bareMessage, isStackOverflow, stripTypes } from "./prepare-strip";
import { SuggestBudget } from "./prepare-suggest";
import { typeImports } from "./prepare-type-imports";
import type { PrepareError, PrepareInput, PrepareResult } from "./prepare-types";
import {
  meterAlias,
  meterName,
  RESERVED_PREFIX,
  regexFactoryName,
  type WalkProblem,
  walkProgram,
} from "./prepare-walk";

export type { ImportUse, ModuleCatalog } from "./prepare-imports";
export { agentLocation } from "./prepare-stack";

/** Largest accepted code, in UTF-8 bytes; the parsers and the guard pass are linear, this bounds their time. */
export const MAX_CODE_BYTES = 1_000_000;

/** Name of the wrapper function; reserved like every `__cg` identifier, so the agent cannot clash with it. */
const MAIN_NAME = `${RESERVED_PREFIX}_main`;

const TOO_DEEP =
  "The code is nested too deeply to parse (too many levels of brackets, operators or blocks). " +
  "Split deeply nested expressions into separate statements.";

function utf8Length(text: string): number {
  // Cheap bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= MAX_CODE_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

/** Parsers say just "Unexpected token"; naming the token saves the model a guess. */
function describeSyntaxError(message: string, code: string, offset: number | undefined): string {
  if (message !== "Unexpected token" || offset === undefined) return `Syntax error: ${message}`;
  const token = /^(?:[\w$]+|\S)/.exec(code.slice(offset, offset + 100))?.[0];
  return token ? `Syntax error: Unexpected token ${JSON.stringify(token)}` : "Syntax error: Unexpected end of input";
}

const SKILL_RETURN_HINT =
  ": a skill module only declares and exports its function; return the result from inside that function";

/** Parses a module body with top-level `await` (and top-level `return` for programs). */
function parseModule(text: string, allowReturn: boolean): Program {
  return parseProgram(text, {
    ecmaVersion: "latest",
    sourceType: "module",
    allowReturnOutsideFunction: allowReturn,
    allowAwaitOutsideFunction: true,
  });
}

/** Import problems listed in one error; the rest are counted. Every listed problem costs a "did you mean". */
export const MAX_REPORTED_PROBLEMS = 20;

/** Runs of identifier characters. */
const WORD = /[\p{ID_Continue}$\u200C\u200D]+/gu;

/** How often each identifier-like word occurs in a text: one linear scan, however many names are looked up. */
function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [word] of text.matchAll(WORD)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Work one preparation did beyond its linear passes, for tests that bound it. */
export interface PrepareStats {
  /** Edit-distance cells spent on "did you mean" suggestions. */
  suggestCells: number;
  /** Full scans of the code made to tell type-only imports apart (at most 2: the original and the stripped code). */
  wordScans: number;
}

/**
 * Prepares the agent's code for the sandbox. Throws only on a host bug (an invalid `guardName`); every problem with
 * the agent's code is returned as `{ ok: false, error }`.
 */
export function prepareCode(input: PrepareInput, stats?: PrepareStats): PrepareResult {
  const { code, modules, guardName, skill } = input;
  if (!/^__cg[A-Za-z0-9_$]*$/.test(guardName) || guardName === MAIN_NAME) {
    // The reserved-prefix check is what keeps agent code from naming the guard; a name outside it would break that.
    throw new TypeError(
      `prepareCode: guardName must start with "${RESERVED_PREFIX}", got ${JSON.stringify(guardName)}`,
    );
  }
  const bytes = utf8Length(code);
  if (bytes > MAX_CODE_BYTES) {
    return {
      ok: false,
      error: { kind: "syntax", message: `The code is ${bytes} bytes; the limit is ${MAX_CODE_BYTES} bytes.` },
    };
  }

  const original = new LineIndex(code);
  /** An error at `offset` in the original code; `more` (other problems) goes after the code frame. */
  const located = (
    kind: PrepareError["kind"],
    message: string,
    offset: number | undefined,
    more = "",
  ): PrepareResult => {
    if (offset === undefined) return { ok: false, error: { kind, message } };
    const at = original.locate(offset);
    return {
      ok: false,
      error: {
        kind,
        message: `${message} (line ${at.line}, column ${at.column})\n${codeFrame(original, at)}${more}`,
        line: at.line,
        column: at.column,
      },
    };
  };

  const stripped = stripTypes(code);
  if (!stripped.ok) {
    if (stripped.tooDeep) return located("syntax", TOO_DEEP, undefined);
    const { message, offset } = stripped.problem;
    return located("syntax", describeSyntaxError(message, code, offset), offset);
  }
  const js = stripped.code;

  let program: Program;
  try {
    program = parseModule(js, skill === undefined);
  } catch (error) {
    if (isStackOverflow(error)) return located("syntax", TOO_DEEP, undefined);
    const err = error as { message?: unknown; pos?: unknown };
    const offset = typeof err.pos === "number" ? stripped.toOriginal(err.pos) : undefined;
    const message = describeSyntaxError(bareMessage(String(err.message ?? error)), code, offset);
    const hint = skill !== undefined && /'return' outside/.test(message) ? SKILL_RETURN_HINT : "";
    return located("syntax", message + hint, offset);
  }

  // Word counts of the original and the stripped code, made at most once (see PrepareStats.wordScans).
  let counts: { ts: Map<string, number>; js: Map<string, number> } | undefined;
  const wordCountsOnce = () => {
    if (!counts) {
      counts = { ts: wordCounts(code), js: wordCounts(js) };
      if (stats) stats.wordScans += 2;
    }
    return counts;
  };
  // A word scan does not decode `\u` escapes (`typeof \u0078` names `x`): code with one names every carried binding.
  const escaped = code.includes("\\u");

  // Carried declarations and imports are appended after the agent's code (no line moves) and instrumented with it;
  // only those the code names (or the carried code it gets names), src/scope/scope-prepare.ts planScope.
  const userProgram = program;
  const plan =
    input.carried && skill === undefined
      ? planScope(topLevelScope(program, js), input.carried, modules, (name) => {
          if (escaped) return true;
          const words = wordCountsOnce();
          return words.ts.has(name) || words.js.has(name);
        })
      : undefined;
  let source = js;
  if (plan?.appendix) {
    try {
      program = parseModule(js + plan.appendix, true);
      source = js + plan.appendix;
    } catch {
      // Carried sources parsed when they were saved; if they no longer do, the program runs without them.
      for (const name of plan.carriedIn) plan.dropped.push({ name, reason: "its carried source no longer parses" });
      plan.appendix = "";
      plan.appended = [];
    }
  }
  const walk = walkProgram(program, source, guardName, { allowExports: skill !== undefined });
  // The appended part is the gateway's own text: its helper names use the reserved prefix on purpose.
  walk.problems = walk.problems.filter((p) => p.kind !== "reserved" || p.offset < js.length);
  // An unknown import name that no JavaScript uses but the TypeScript did was a type (`import { FileInfo }` used
  // only in annotations): TypeScript would elide it, so drop it rather than fail. Counted once for all names.
  const typeOnlyLocals = new Set<string>();
  const isTypeOnly = (local: string) => {
    if (walk.referenced.has(local)) return false;
    const words = wordCountsOnce();
    const typeOnly = (words.ts.get(local) ?? 0) > (words.js.get(local) ?? 0);
    if (typeOnly) typeOnlyLocals.add(local);
    return typeOnly;
  };
  // Carried values the program never names stay stored as they are (src/scope/scope-prepare.ts narrowScope). A
  // name only in a type annotation is gone from the stripped code, so the original's words count too.
  if (plan) {
    narrowScope(plan, (name) => escaped || walk.referenced.has(name) || wordCountsOnce().ts.has(name));
  }
  const budget = new SuggestBudget();

  const problems: Array<WalkProblem | (ImportProblem & { kind: "import" })> = [...walk.problems];
  const edits: Edit[] = walk.edits;
  const hoisted: string[] = [];
  const used: Array<Extract<ImportCheck, { ok: true }>> = [];
  const typeOnly: Array<Extract<ImportCheck, { ok: true }>> = [];
  for (const decl of walk.imports) {
    const network = networkImportProblem(String(decl.source.value));
    if (network) {
      problems.push({ kind: "import", message: network, offset: decl.source.start });
      continue;
    }
    const check = checkImport(decl, modules, isTypeOnly, budget);
    if (!check.ok) {
      for (const problem of check.problems) problems.push({ kind: "import", ...problem });
      continue;
    }
    if (check.hoisted) {
      hoisted.push(check.hoisted);
      used.push(check);
    } else if (decl.specifiers.length > 0) typeOnly.push({ ...check, names: [] });
    edits.push(blank(js, decl.start, decl.end));
  }

  if (problems.length > 0) {
    problems.sort((a, b) => a.offset - b.offset);
    const first = problems[0]!;
    // Report every import problem at once: the model can fix them all in one retry.
    const sameKind = first.kind === "import" ? problems.filter((p) => p.kind === "import") : [first];
    const rest = sameKind
      .slice(1, MAX_REPORTED_PROBLEMS)
      .map((p) => `\n- line ${original.locate(stripped.toOriginal(p.offset)).line}: ${p.message}`);
    const unlisted = sameKind.length - 1 - rest.length;
    if (unlisted > 0) rest.push(`\n- … and ${unlisted} more import problems (fix these first)`);
    const more = rest.length > 0 ? `\nOther import problems:${rest.join("")}` : "";
    if (stats) stats.suggestCells += budget.spent;
    return located(first.kind, first.message, stripped.toOriginal(first.offset), more);
  }
  if (stats) stats.suggestCells += budget.spent;

  // The body's result: a skill's function, or else the program's last expression when nothing is returned explicitly.
  let footer = "\n}\n";
  if (skill !== undefined) {
    const exported = skillExports(program, js, skill);
    if (!exported.ok) {
      const at = exported.offset === undefined ? undefined : stripped.toOriginal(exported.offset);
      return located("syntax", exported.message, at);
    }
    // No spread: a module may have more exports than a call has room for arguments.
    for (const edit of exported.edits) edits.push(edit);
    footer = `\nreturn ${exported.entry};\n}\n`;
  } else {
    const completion = completionEdit(userProgram);
    if (completion) edits.push(completion);
  }

  // A hashbang is only legal at offset 0, which the header now occupies.
  if (js.startsWith("#!")) edits.push(replace(0, 2, "//"));
  const header =
    (plan?.importLine ?? "") +
    `import { step as ${guardName}${walk.usesMeter ? `, meter as ${meterName(guardName)}` : ""} } from "./runtime.js";` +
    (walk.usesRegex ? `import { createRegExp as ${regexFactoryName(guardName)} } from "./regex-guard.js";` : "") +
    hoisted.join("") +
    `export default async function ${MAIN_NAME}() {` +
    (walk.loopsAtTop ? meterAlias(guardName) : "");
  const prologue = plan ? scopePrologue(plan) : "";
  const own = plan && topLevelScope(userProgram, js);
  // An import name used only as a type was never imported: it is not carried (it is no value of the module).
  if (own && typeOnlyLocals.size > 0) own.imports = own.imports.filter((i) => !typeOnlyLocals.has(i.local));
  const scope = plan &&
    own && {
      own,
      captured: plan.captured,
      carriedIn: plan.carriedIn,
      dropped: plan.dropped,
    };
  const prefix = header + prologue;
  const prepared = `${prefix}${applyEdits(source, edits)}${footer}`;
  // Built on the first lookup (only errors and logged stacks look up), then each lookup is a binary search.
  let lines: LineIndex | undefined;
  let beforeEdits: ((offset: number) => number) | undefined;
  const declarationLines = new Map<number, LineIndex>();
  /** The offset in the stripped code (plus the appendix) of a location in `prepared`, or undefined in the header. */
  const sourceOffset = (at: Location) => {
    lines ??= new LineIndex(prepared);
    const offset = lines.offset(at);
    if (offset === undefined || offset < prefix.length) return undefined;
    beforeEdits ??= editedOffsets(edits);
    return beforeEdits(offset - prefix.length);
  };
  return {
    ok: true,
    code: prepared,
    locate: (at) => {
      // Back through the edits (applyEdits left them sorted) and the TypeScript strip to the agent's own code.
      const inSource = sourceOffset(at);
      if (inSource === undefined || inSource > js.length) return undefined; // header, or carried code (inCarried)
      return original.locate(stripped.toOriginal(inSource));
    },
    inCarried: (at) => {
      const inSource = sourceOffset(at);
      if (inSource === undefined || inSource <= js.length || !plan) return undefined;
      const offset = inSource - js.length;
      const index = plan.appended.findIndex((p) => p.start <= offset && offset < p.end);
      const part = plan.appended[index];
      if (!part) return undefined;
      const { name, execution, line } = part.declaration;
      let declared = declarationLines.get(index);
      if (!declared) {
        declared = new LineIndex(part.declaration.source);
        declarationLines.set(index, declared);
      }
      const within = declared.locate(offset - part.start).line;
      return execution !== undefined && line !== undefined
        ? { name, execution, line: line + within - 1 }
        : { name, line: within };
    },
    imports: mergeImports(used),
    typeImports: typeImportUses(mergeImports(typeOnly), typeImports(code), modules),
    ...(scope ? { scope } : {}),
    regex: walk.namesRegex,
    metered: meteredSelection(walk),
  };
}
