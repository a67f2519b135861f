/**
 * @module scope/scope-prepare
 * Plans how a program runs with the scope it inherits, without moving any of the agent's lines (errors keep the
 * agent's line numbers):
 * - carried values become `let` bindings at the start of the wrapper, on the header line;
 * - carried function declarations are appended after the agent's code, inside the wrapper, where the usual guard
 *   pass instruments them like new code; function declarations are hoisted, so they are callable from line 1;
 * - carried classes are not hoisted, so each is appended wrapped in a hoisted factory function and bound by a
 *   `let` on the header line;
 * - carried imports are appended as import declarations, which the import check validates and hoists as usual;
 * - a capture callback on the header line lets the sandbox read every top-level binding when the program ends.
 * A binding the new program declares again (of any kind) is not carried in: the new declaration replaces it.
 * A carried function, class or import the program never names (nor the carried code it gets names) is not carried in
 * either ({@link planScope}): a class declaration is evaluated where it is appended, so one carried into every
 * program would run its code in every execution. Then a carried value that neither the program nor the carried code
 * it gets names is left out ({@link narrowScope}): it stays stored as it was, and the execution neither decodes nor
 * re-encodes it. Code can reach a top-level binding only by its name (modules are strict, and the sandbox has no
 * eval), so a scan for names is exact up to over-approximation (a name in a string or comment still counts).
 * A stored class whose declaration runs code (stored before such classes were refused, scope-analysis.ts) is dropped
 * rather than re-declared.
 */
import type { ClassDeclaration } from "acorn";
import { NEEDS_TASKS_NOTE } from "../registry/task-support";
import type { ModuleCatalog } from "../sandbox/prepare-imports";
import { parseProgram } from "../sandbox/prepare-parse";
import {
  boundNames,
  type CarriedDeclaration,
  classInitCode,
  classNotCarried,
  type TopLevelScope,
} from "./scope-analysis";
import type { CarriedScope, DroppedBinding } from "./scope-store";

/** Names the sandbox side (worker-loader/scope.js) is imported under; reserved, so agent code cannot touch them. */
export const SCOPE_IN = "__cg_scope_in";
export const SCOPE_OUT = "__cg_scope_out";
const CLASS_FACTORY = "__cg_class_";

/** What prepare adds for the scope. */
export interface ScopePlan {
  /** Import of the sandbox side, for the module header. */
  importLine: string;
  /** Statements for the start of the wrapper, on the header line (no newline); see {@link scopePrologue}. */
  lets: Array<{ name: string; text: string; value: boolean }>;
  /** Source appended after the agent's code before parsing (starts with a newline). */
  appendix: string;
  /** Where each carried declaration's source is in `appendix` (offsets into it), for errors thrown inside one. */
  appended: Array<{ start: number; end: number; declaration: CarriedDeclaration }>;
  /** Names the execution starts with, carried from earlier ones. */
  carriedIn: string[];
  /** Every value name the capture reads at the end. */
  captured: string[];
  /** The program's own top-level value names (always captured). */
  ownValues: string[];
  /** Carried bindings that could not be brought in (e.g. an import of a server that is gone). */
  dropped: DroppedBinding[];
}

/** Whether `source` still offers `imported`; the reason when not. */
function importProblem(imported: string, source: string, modules: ModuleCatalog): string | undefined {
  if (source === "gateway") {
    return imported === "*" || modules.gateway.includes(imported) ? undefined : `"gateway" has no export "${imported}"`;
  }
  const server = /^servers\/(.+)$/.exec(source);
  if (server) {
    const id = server[1]!;
    if (!Object.hasOwn(modules.servers, id)) return `server "${id}" is no longer available`;
    if (imported !== "*" && !modules.servers[id]!.includes(imported))
      return `${source} no longer exports "${imported}"`;
    if (modules.taskOnly?.get(id)?.has(imported))
      return `"${imported}" of ${source} cannot be called: ${NEEDS_TASKS_NOTE}`;
    return undefined;
  }
  const skill = /^skills\/(.+?)(?:@(\d+))?$/.exec(source);
  if (skill) {
    const info = Object.hasOwn(modules.skills, skill[1]!) ? modules.skills[skill[1]!] : undefined;
    if (!info || (skill[2] !== undefined && !info.versions.includes(Number(skill[2]))))
      return `${source} no longer exists`;
    return undefined;
  }
  return `${source} is not a module the sandbox offers`;
}

/** Runs of identifier characters (as prepare.ts counts them). */
const WORD = /[\p{ID_Continue}$\u200C\u200D]+/gu;

/** The names `source` may mention, or `undefined` for "any" (a `\u` escape can spell a name the scan cannot see). */
function mentionedNames(source: string): Set<string> | undefined {
  if (source.includes("\\u")) return undefined;
  return new Set(Array.from(source.matchAll(WORD), (m) => m[0]));
}

/** What a stored class's declaration runs when evaluated (see classInitCode), or undefined; unparsable: undefined. */
function storedClassInitCode(source: string): string | undefined {
  try {
    const statement = parseProgram(source, { ecmaVersion: "latest", sourceType: "module" }).body[0];
    return statement?.type === "ClassDeclaration" ? classInitCode(statement as ClassDeclaration) : undefined;
  } catch {
    return undefined; // The appended program fails to parse too, and every carried name is dropped with the reason.
  }
}

/**
 * Plans the scope of a program whose own top level is `own`, inheriting `carried`. `named(name)` says whether the
 * program's code mentions a name (an over-approximation is safe); carried declarations and imports come in only
 * when the program, or a carried declaration that comes in, mentions them. Without `named`, every one comes in.
 */
export function planScope(
  own: TopLevelScope,
  carried: CarriedScope,
  modules: ModuleCatalog,
  named: (name: string) => boolean = () => true,
): ScopePlan {
  const redeclared = boundNames(own);
  const carriedIn: string[] = [];
  const dropped: DroppedBinding[] = [];
  const lets: ScopePlan["lets"] = [];
  const appendix: string[] = [];
  const appended: ScopePlan["appended"] = [];
  // Offset in the appendix where the next part starts (after its leading newline).
  let at = 1;
  const append = (text: string, declaration?: CarriedDeclaration, sourceStart = 0) => {
    if (declaration) {
      const start = at + sourceStart;
      appended.push({ start, end: start + declaration.source.length, declaration });
    }
    appendix.push(text);
    at += text.length + 1;
  };

  for (const { name } of carried.values) {
    if (redeclared.has(name)) continue;
    lets.push({ name, text: `${name} = ${SCOPE_IN}(${JSON.stringify(name)})`, value: true });
    carriedIn.push(name);
  }

  // The declarations and imports the program reaches: those it names, then those they name, and so on.
  const declarations = new Map<string, CarriedDeclaration>();
  for (const d of carried.declarations) if (!redeclared.has(d.name)) declarations.set(d.name, d);
  const imports = new Set(carried.imports.map((i) => i.local).filter((n) => !redeclared.has(n)));
  const reached = new Set<string>();
  const pending: CarriedDeclaration[] = [];
  const reach = (name: string) => {
    if (reached.has(name)) return;
    const d = declarations.get(name);
    if (d) {
      reached.add(name);
      pending.push(d);
    } else if (imports.has(name)) reached.add(name);
  };
  for (const name of [...declarations.keys(), ...imports]) if (named(name)) reach(name);
  while (pending.length > 0) {
    const mentioned = mentionedNames(pending.pop()!.source);
    for (const name of mentioned ?? [...declarations.keys(), ...imports]) reach(name);
  }

  for (const d of declarations.values()) {
    if (!reached.has(d.name)) continue;
    if (d.kind === "function") append(d.source, d);
    else {
      const init = storedClassInitCode(d.source);
      if (init) {
        dropped.push({ name: d.name, reason: classNotCarried(d.name, init) });
        continue;
      }
      const head = `function ${CLASS_FACTORY}${d.name}() { return `;
      append(`${head}${d.source}; }`, d, head.length);
      lets.push({ name: d.name, text: `${d.name} = ${CLASS_FACTORY}${d.name}()`, value: false });
    }
    carriedIn.push(d.name);
  }
  for (const i of carried.imports) {
    if (redeclared.has(i.local)) continue;
    // Checked whether named or not: an import whose module is gone is dropped now, not when next named.
    const problem = importProblem(i.imported, i.source, modules);
    if (problem) {
      dropped.push({ name: i.local, reason: `its import was dropped: ${problem}` });
      continue;
    }
    if (!reached.has(i.local)) continue;
    const spec =
      i.imported === "*" ? `* as ${i.local}` : i.imported === "default" ? i.local : `{ ${i.imported} as ${i.local} }`;
    append(`import ${spec} from ${JSON.stringify(i.source)};`);
    carriedIn.push(i.local);
  }

  const carriedValues = carried.values.map((v) => v.name).filter((n) => !redeclared.has(n));
  return {
    importLine: `import { scopeIn as ${SCOPE_IN}, scopeOut as ${SCOPE_OUT} } from "./scope.js";`,
    lets,
    appendix: appendix.length > 0 ? `\n${appendix.join("\n")}` : "",
    appended,
    carriedIn,
    captured: [...new Set([...own.values, ...carriedValues])],
    ownValues: own.values,
    dropped,
  };
}

/**
 * Leaves out the carried values the program does not name: `named(name)` says whether the program's code, or the
 * carried code appended to it, mentions the name (an over-approximation is safe: a value carried in needlessly is
 * only decoded and stored again).
 */
export function narrowScope(plan: ScopePlan, named: (name: string) => boolean): void {
  const unnamed = new Set(plan.lets.filter((l) => l.value && !named(l.name)).map((l) => l.name));
  if (unnamed.size === 0) return;
  const own = new Set(plan.ownValues);
  plan.lets = plan.lets.filter((l) => !unnamed.has(l.name));
  plan.carriedIn = plan.carriedIn.filter((n) => !unnamed.has(n));
  plan.captured = plan.captured.filter((n) => own.has(n) || !unnamed.has(n));
}

/** The statements at the start of the wrapper: the carried bindings, then the capture of every top-level value. */
export function scopePrologue(plan: ScopePlan): string {
  const getters = plan.captured.map((n) => `[${JSON.stringify(n)}, () => ${n}]`).join(", ");
  const lets = plan.lets.map((l) => l.text);
  return `${lets.length > 0 ? `let ${lets.join(", ")};` : ""}${SCOPE_OUT}(() => [${getters}]);`;
}
