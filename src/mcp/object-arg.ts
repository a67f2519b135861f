/**
 * @module mcp/object-arg
 * A tool argument that is an object of the caller's own keys (a skill's input, a direct call's arguments). zod's
 * record copies into `{}` and silently drops an own `__proto__` key, which JSON.parse had made real, so the value
 * would reach the skill or the upstream without it. This one keeps the parsed object as it came and refuses that
 * key with the reason, as the sandbox refuses it from code (src/sandbox/live-execution.ts).
 */
import { z } from "zod";

const isTable = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** `label` names the argument in the error ("input", "arguments"). Shown to clients as `{ "type": "object" }`. */
export function objectArg(label: string) {
  return z
    .unknown()
    .transform((value, ctx): Record<string, unknown> => {
      if (!isTable(value)) {
        ctx.addIssue({ code: "custom", message: `${label}: expected an object of named values` });
        return z.NEVER;
      }
      if (Object.hasOwn(value, "__proto__")) {
        ctx.addIssue({
          code: "custom",
          message: `${label}: the key "__proto__" is not allowed (it cannot be an ordinary property in the code that reads it); rename it`,
        });
        return z.NEVER;
      }
      return value;
    })
    .meta({ type: "object" });
}
