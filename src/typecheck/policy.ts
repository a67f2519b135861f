/** The type-check policy (`GATEWAY_CONFIG.typecheck`): which diagnostics refuse a run. */
import type { CheckerDiagnostic, TypecheckPolicy } from "./typecheck-types";

/**
 * Whether a diagnostic refuses the run under a policy: `tools` refuses definite errors in the tool surface,
 * `strict` also those resting on observed result types (samples, so only a warning otherwise). Errors in the
 * program's own code are always warnings: the run may still do what was meant.
 */
export function refuses(d: CheckerDiagnostic, policy: TypecheckPolicy): boolean {
  if (!d.error) return false;
  if (policy === "strict") return d.surface === "tool" || d.surface === "observed";
  return policy === "tools" && d.surface === "tool";
}
