/**
 * @module mcp/object-arg
 * A tool argument that is an object of the caller's own keys (a skill's input, a direct call's arguments). zod's
 * record copies into `{}` and silently drops an own `__proto__` key, which JSON.parse had made real, so the value
 * would reach the skill or the upstream without it. This one keeps the parsed object as it came and refuses that
 * key, at any depth, with the reason, as the sandbox refuses it from code (src/sandbox/bridge-json.ts). At any
 * depth: run_skill writes the input into the execution's code as a literal, where a nested `"__proto__": {...}`
 * would set the object's prototype instead of making a property.
 */
import { z } from "zod";

const isTable = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Longest key shown in the path of an error (keys are the caller's data, of any length). */
const MAX_KEY_SHOWN = 40;
/** Segments of a path shown at each end; a deeper path is shown by both ends. */
const PATH_ENDS = 10;

/**
 * The path of the first own `__proto__` key in a parsed JSON value (`["a", 2]`, empty at the top), or undefined, as
 * the error shows it: long keys cut, a deep path by both ends. Iterative and linear: the value came from JSON.parse,
 * a tree of at most the request's size; the path is built only for the object found, from each object's parent.
 */
export function protoKeyPath(value: unknown): Array<string | number> | undefined {
  const parent = new Map<object, [object, string | number]>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    if (!Array.isArray(v) && Object.hasOwn(v, "__proto__")) return pathTo(v, parent);
    const children: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    for (const [key, child] of children) {
      if (child !== null && typeof child === "object") {
        parent.set(child, [v, key]);
        stack.push(child);
      }
    }
  }
  return undefined;
}

function pathTo(found: object, parent: Map<object, [object, string | number]>): Array<string | number> {
  const parts: Array<string | number> = [];
  for (let step = parent.get(found); step; step = parent.get(step[0])) {
    const key = step[1];
    parts.push(typeof key === "string" && key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key);
  }
  parts.reverse();
  return parts.length > 2 * PATH_ENDS ? [...parts.slice(0, PATH_ENDS), "…", ...parts.slice(-PATH_ENDS)] : parts;
}

/**
 * The argument's schema. The MCP server puts the argument's name, and the path below it, before each message
 * (`input.opts: the key "__proto__" is not allowed …`), so the messages do not name it again. Shown to clients as
 * `{ "type": "object" }`.
 */
export function objectArg() {
  return z
    .unknown()
    .transform((value, ctx): Record<string, unknown> => {
      if (!isTable(value)) {
        ctx.addIssue({ code: "custom", message: "expected an object of named values" });
        return z.NEVER;
      }
      const at = protoKeyPath(value);
      if (at !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: at,
          message:
            'the key "__proto__" is not allowed (it cannot be an ordinary property in the code that reads it); rename it',
        });
        return z.NEVER;
      }
      return value;
    })
    .meta({ type: "object" });
}
