/**
 * @module planning/code-check
 * The check a program passes before it runs: the seam between the pipeline and whatever checks exist. Today it is
 * the gateway's prepare step (syntax, TypeScript stripping, imports of known servers, tools and skills, reserved
 * names): the same rules execute_code applies, without starting an isolate. A full TypeScript type-check (being
 * added as src/typecheck/) plugs in as another {@link CodeCheck} in the list the pipeline is given
 * (run-task-tool.ts builds it). Until then, or if it is wired into the executor instead, a type error still comes
 * back: the run refuses the program with kind "type", and the pipeline hands it to the model as a check error.
 */
import type { Registry } from "../registry/registry";
import { prepareCode } from "../sandbox/prepare";
import { GATEWAY_EXPORTS, serverExports, taskOnlyTools, unavailableServers } from "../sandbox/sandbox-modules";
import type { SkillService } from "../skills/skill-service";

/** Why a program does not pass a check, as the model will read it. */
export interface CheckProblem {
  /** Which check failed, e.g. "syntax", "import", "type". */
  kind: string;
  message: string;
  line?: number;
}

/** One check of a program: undefined when it passes. Checks run in order; the first problem is reported. */
export type CodeCheck = (code: string) => Promise<CheckProblem | undefined>;

/** The prepare step of execute_code as a check, against the current catalog and the user's skills. */
export function prepareCheck(registry: Registry, skills: SkillService): CodeCheck {
  return async (code) => {
    const [catalog, skillIndex] = await Promise.all([registry.catalog(), skills.index()]);
    const prepared = prepareCode({
      code,
      modules: {
        servers: serverExports(catalog),
        unavailable: unavailableServers(catalog),
        taskOnly: taskOnlyTools(catalog),
        gateway: GATEWAY_EXPORTS,
        skills: skillIndex,
      },
      guardName: "__cg_step_check",
    });
    if (prepared.ok) return undefined;
    const { kind, message, line } = prepared.error;
    return { kind, message, ...(line ? { line } : {}) };
  };
}

/** Runs the checks in order and returns the first problem. */
export async function checkProgram(checks: readonly CodeCheck[], code: string): Promise<CheckProblem | undefined> {
  for (const check of checks) {
    const problem = await check(code);
    if (problem) return problem;
  }
  return undefined;
}
