/** Contracts between the execute path, the type-check policy and the checker isolate (worker-loader/typecheck.js). */

/** `strict`: every error refuses; `tools`: errors in the tool surface refuse; `warn`: nothing refuses; `off`: no check. */
export type TypecheckPolicy = "strict" | "tools" | "warn" | "off";

/** A diagnostic returned with a run that was not refused. Lines and columns are 1-based, in the user's code. */
export interface TypeWarning {
  line: number;
  column: number;
  message: string;
}

/**
 * What a diagnostic rests on: `tool` a declared tool, gateway or skill type (arguments, imports, results, a
 * missing `await`); `observed` a tool result type inferred from samples; `other` the program's own code.
 */
export type DiagnosticSurface = "tool" | "observed" | "other";

/** One diagnostic from the checker isolate. */
export interface CheckerDiagnostic {
  line: number;
  column: number;
  code: number;
  /** Error category (not a suggestion or warning from the compiler). */
  error: boolean;
  message: string;
  surface: DiagnosticSurface;
  /** The called tool (module specifier and export name) when the diagnostic is in a tool call. */
  tool?: { module: string; name: string };
}

/** What the host sends the checker isolate. */
export interface CheckRequest {
  code: string;
  /** `declare module "…" { … }` blocks for every module the program imports. */
  declarations: string;
  /** Check as JavaScript (types by inference) rather than TypeScript. */
  javascript: boolean;
}

/** The checker isolate's answer: never a throw. */
export type CheckReply =
  | { ok: true; diagnostics: CheckerDiagnostic[]; total: number; skipped?: string }
  | { ok: false; error: string };
