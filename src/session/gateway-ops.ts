/**
 * @module session/gateway-ops
 * The operations of the sandbox's `gateway` module that the host answers (`state.*`, `state.last`,
 * `state.result`, and the skill input check), over the session's or context's own stores. Arguments arrive as
 * parsed JSON from the sandbox: every one is checked by the store it reaches.
 */
import type { LiveExecution } from "../sandbox/live-execution";
import { validateValue } from "../sandbox/validate-args";
import type { ExecutionRecord } from "../user/user-types";
import type { LastExecution } from "./last-execution";
import type { SessionState } from "./session-state";

/** What the operations read and write. */
export interface GatewayOpsDeps {
  state: SessionState;
  last: LastExecution;
  /** An execution of the user's history (execution ids belong to the user, not to one session). */
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
}

/** `state.result(id)`: the result of an earlier execution of any of the user's sessions. */
async function resultOf(id: unknown, deps: GatewayOpsDeps): Promise<unknown> {
  const r = typeof id === "string" ? await deps.getExecution(id) : undefined;
  if (!r) throw new Error(`no execution ${JSON.stringify(id)} in the user's history (list_executions)`);
  if (!r.ok) throw new Error(`execution ${r.execution_id} failed: ${r.error?.message}`);
  return r.result;
}

/** Runs one gateway operation; throws with a message for the agent's code when it cannot. */
export function gatewayOp(
  op: string,
  args: Record<string, unknown>,
  live: LiveExecution,
  deps: GatewayOpsDeps,
): unknown {
  switch (op) {
    case "state.get":
      return deps.state.get(args.key);
    case "state.set":
      return deps.state.set(args.key, args.value);
    case "state.delete":
      return deps.state.delete(args.key);
    case "state.keys":
      return deps.state.keys(args.prefix);
    case "state.last":
      return deps.last.get();
    case "state.result":
      return resultOf(args.id, deps);
    case "skill.validate": {
      const skill = live.skills.get(`${args.name}@${args.version}`);
      if (!skill) throw new Error(`skill ${args.name}@${args.version} is not part of this execution`);
      const invalid = validateValue(
        `skill\u0000${JSON.stringify(skill.input_schema)}`,
        skill.input_schema,
        args.input,
        live.suggestions,
      );
      if (invalid) throw new Error(`${skill.name}@${skill.version}: ${invalid} (get_skill shows its input_schema)`);
      return undefined;
    }
    default:
      throw new Error(`unknown gateway operation ${op}`);
  }
}
