/**
 * @module typecheck/typecheck-program
 * Type-checks a program before it runs and applies the policy (`GATEWAY_CONFIG.typecheck`): which diagnostics
 * refuse the run as `error.kind: "type"` and which come back as `warnings`. The check never blocks a run for
 * its own sake: a program too large to check, declarations too large to send, or a checker that fails or runs
 * out of time all let the run go ahead with a warning that says it was not checked.
 */
import { toolDeclaration } from "../codegen/declarations";
import type { ExecutionError } from "../sandbox/execution-types";
import { codeFrame, LineIndex } from "../sandbox/prepare-location";
import { stripTypes } from "../sandbox/prepare-strip";
import type { Semaphore } from "../shared/semaphore";
import { type CheckerBindings, type CheckerBudget, runChecker } from "./checker-isolate";
import { type ProgramImports, programDeclarations } from "./program-declarations";
import { refuses } from "./policy";
import type { CheckerDiagnostic, TypecheckPolicy, TypeWarning } from "./typecheck-types";

/** Longest declarations text sent to the checker; beyond it (huge namespace imports) the program is not checked. */
export const MAX_DECLARATION_BYTES = 2_000_000;
/** Longest tool declaration quoted in an error. */
const MAX_QUOTED_DECLARATION = 1_500;
/** At most this many refusing diagnostics are spelled out in one error. */
const MAX_REPORTED = 5;

/** How a session checks programs. */
export interface TypecheckDeps {
  policy: TypecheckPolicy;
  bindings: CheckerBindings;
  budget: CheckerBudget;
  /** Largest program checked, in UTF-8 bytes. */
  maxCodeBytes: number;
  /** The session's checker slot: one check in flight per session object, within its isolate limit. */
  slot: Semaphore;
}

/** Refused (with the warnings that did not refuse), or allowed with warnings. */
export type TypecheckOutcome = (
  | { ok: true; warnings: TypeWarning[]; checked: boolean }
  | { ok: false; error: ExecutionError; warnings: TypeWarning[] }
) & { timing?: CheckTiming };

/** How long a check took on the host (declarations, the checker round trip), and whether it started the checker. */
export interface CheckTiming {
  ms: number;
  cold: boolean;
}

const unchecked = (reason: string): TypecheckOutcome => ({
  ok: true,
  checked: false,
  warnings: [{ line: 1, column: 1, message: `not type-checked: ${reason}` }],
});

/** Plain JavaScript (nothing for the type stripper to remove) is checked as JavaScript: types by inference. */
function isJavaScript(code: string): boolean {
  const stripped = stripTypes(code);
  return stripped.ok && stripped.code.replace(/\s+/g, "") === code.replace(/\s+/g, "");
}

/** Checks `code` against the declarations of what it imports and applies `deps.policy`. */
export async function typecheckProgram(
  code: string,
  program: ProgramImports,
  deps: TypecheckDeps,
): Promise<TypecheckOutcome> {
  if (deps.policy === "off") return { ok: true, warnings: [], checked: false };
  const bytes = new TextEncoder().encode(code).byteLength;
  if (bytes > deps.maxCodeBytes) {
    return unchecked(`the code is ${bytes} bytes, over the checker's limit of ${deps.maxCodeBytes} bytes`);
  }
  const declarations = programDeclarations(program);
  if (declarations.length > MAX_DECLARATION_BYTES) {
    return unchecked("the imported modules' declarations are too large; import only the tools you use");
  }
  const request = { code, declarations, javascript: isJavaScript(code) };
  const outcome = await deps.slot
    .run(() => runChecker(deps.bindings, request, deps.budget))
    .catch((err: Error) => ({ ok: false as const, reason: `the checker is busy (${err.message})` }));
  if (!outcome.ok) return unchecked(outcome.reason);
  if (!outcome.reply.ok) return unchecked(`the checker failed: ${outcome.reply.error.split("\n")[0]}`);
  const timing = { ms: outcome.ms, cold: outcome.cold };
  if (outcome.reply.skipped) return { ...unchecked(outcome.reply.skipped), timing };

  const refusing: CheckerDiagnostic[] = [];
  const warnings: TypeWarning[] = [];
  for (const d of outcome.reply.diagnostics) {
    if (refuses(d, deps.policy)) refusing.push(d);
    else warnings.push({ line: d.line, column: d.column, message: d.message });
  }
  if (refusing.length === 0) return { ok: true, warnings, checked: true, timing };
  const first = refusing[0]!;
  return {
    ok: false,
    timing,
    warnings,
    error: { kind: "type", message: describe(code, refusing, program), line: first.line, column: first.column },
  };
}

/** The refusing diagnostics as one message: each with its location and code frame, and the tool's declaration. */
function describe(code: string, diagnostics: CheckerDiagnostic[], program: ProgramImports): string {
  const index = new LineIndex(code);
  const parts: string[] = [];
  const quoted = new Set<string>();
  for (const d of diagnostics.slice(0, MAX_REPORTED)) {
    parts.push(
      `Type error (line ${d.line}, column ${d.column}): ${d.message}\n${codeFrame(index, { line: d.line, column: d.column })}`,
    );
    const tool = d.tool && declarationOf(d.tool, program);
    if (tool && !quoted.has(tool.key)) {
      quoted.add(tool.key);
      parts.push(`The declaration of ${tool.key}:\n${tool.text}`);
    }
  }
  if (diagnostics.length > MAX_REPORTED) parts.push(`…and ${diagnostics.length - MAX_REPORTED} more type errors`);
  parts.push("Nothing ran: fix the code and call execute_code again.");
  return parts.join("\n");
}

function declarationOf(
  at: { module: string; name: string },
  program: ProgramImports,
): { key: string; text: string } | undefined {
  const server = /^servers\/(.+)$/.exec(at.module)?.[1];
  const tool = server === undefined ? undefined : program.catalog.byServerId.get(server)?.byId.get(at.name);
  if (!tool) return undefined;
  const text = toolDeclaration(tool, { outputType: (t) => program.observed?.(t) });
  const clipped = text.length > MAX_QUOTED_DECLARATION ? `${text.slice(0, MAX_QUOTED_DECLARATION)}…` : text;
  return { key: `${at.module}.${at.name}`, text: clipped };
}
