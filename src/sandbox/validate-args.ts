/**
 * @module sandbox/validate-args
 * Validates tool arguments on the host against the tool's input schema before anything is sent upstream.
 * `@cfworker/json-schema` interprets schemas (no code generation, which Workers refuse), and validators are cached
 * per tool definition hash. Messages name the path and the expectation: `/path: expected string, got number`.
 *
 * The check is bounded whoever wrote the schema: the validator gets the schema as schema-bounds.ts copies it (without
 * `format` and `uniqueItems`), only when its structure applies few subschemas to each value, and only for arguments
 * small enough for that structure; its patterns match in bounded time (host-patterns.ts). Anything the host cannot
 * check within those bounds is left to the upstream server, as a schema the validator cannot read always was.
 */
import { type OutputUnit, Validator } from "@cfworker/json-schema";
import type { CatalogTool, JsonSchema } from "../registry/registry-types";
import { withBoundedPatterns } from "./host-patterns";
import { boundSchema } from "./schema-bounds";
import { compileFastCheck, type FastCheck } from "./schema-fast-path";

const MAX_ERRORS_SHOWN = 5;
/**
 * Subschema applications one validation may take, estimated as the values in the arguments times the most
 * subschemas the schema applies to one value (schema-bounds.ts); over it, the upstream judges.
 */
export const MAX_VALIDATION_WORK = 2_000_000;
/** Schemas applying at most this many subschemas to a value validate without counting the arguments first. */
const CHEAP_APPLICATIONS = 4;

/** A schema's validator, and its quick check for values that are certainly valid (schema-fast-path.ts), if any. */
interface Compiled {
  validator: Validator;
  fast: FastCheck | null;
  /** The most subschemas the schema applies to one value of the arguments. */
  applications: number;
}
const cache = new Map<string, Compiled | null>();
const MAX_CACHED = 5_000;

function validatorFor(key: string, schema: JsonSchema): Compiled | null {
  let v = cache.get(key);
  if (v === undefined) {
    try {
      const draft = typeof schema === "object" && String(schema.$schema ?? "").includes("2020-12") ? "2020-12" : "7";
      const bounded = boundSchema(schema);
      v = bounded.ok
        ? {
            validator: new Validator(bounded.schema as never, draft, false),
            fast: compileFastCheck(bounded.schema),
            applications: bounded.applications,
          }
        : null;
    } catch {
      // An upstream schema the validator cannot read is not the caller's fault: let the upstream judge.
      v = null;
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, v);
  }
  return v;
}

function pointer(location: string): string {
  const p = location.replace(/^#/, "");
  return p === "" ? "/" : p;
}

function describe(unit: OutputUnit): string | undefined {
  const where = pointer(unit.instanceLocation);
  const typeMismatch = /Instance type "(\w+)" is invalid\. Expected "(.+)"\./.exec(unit.error);
  if (typeMismatch) return `${where}: expected ${typeMismatch[2]!.replaceAll('", "', " or ")}, got ${typeMismatch[1]}`;
  const missing = /does not have required property "(.+)"/.exec(unit.error);
  if (missing) return `${where === "/" ? "" : where}/${missing[1]}: required property is missing`;
  if (unit.error === "A subschema had errors." || unit.error.startsWith("Property ")) return undefined;
  return `${where}: ${unit.error.replace(/^Instance /, "value ")}`;
}

/** Validates a tool's arguments: undefined when valid, else a readable message listing the first few problems. */
export function validateArgs(tool: CatalogTool, args: unknown): string | undefined {
  return validateValue(`tool\u0000${tool.server}\u0000${tool.name}\u0000${tool.hash}`, tool.inputSchema, args);
}

/** Validates `value` against `schema` (validators cached by `cacheKey`, which must change when the schema does). */
export function validateValue(cacheKey: string, schema: JsonSchema, args: unknown): string | undefined {
  const compiled = validatorFor(cacheKey, schema);
  if (!compiled) return undefined;
  if (compiled.fast?.(args)) return undefined;
  if (compiled.applications > CHEAP_APPLICATIONS) {
    const values = countValues(args, Math.floor(MAX_VALIDATION_WORK / compiled.applications));
    if (values * compiled.applications > MAX_VALIDATION_WORK) return undefined;
  }
  let result: ReturnType<Validator["validate"]>;
  try {
    result = withBoundedPatterns(() => compiled.validator.validate(args));
  } catch {
    return undefined;
  }
  if (result.valid) return undefined;
  const messages = [...new Set(result.errors.map(describe).filter((m): m is string => !!m))];
  const shown = messages.slice(0, MAX_ERRORS_SHOWN);
  const more = messages.length > shown.length ? ` (and ${messages.length - shown.length} more)` : "";
  return `invalid arguments: ${shown.join("; ") || "they do not match the input schema"}${more}`;
}

/** The values in `value` (parsed JSON, so a tree), counting stopped past `limit`. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const v = stack.pop();
    count++;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (typeof v === "object" && v !== null)
      for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
  return count;
}
