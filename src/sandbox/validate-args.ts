/**
 * @module sandbox/validate-args
 * Validates tool arguments on the host against the tool's input schema before anything is sent upstream.
 * `@cfworker/json-schema` interprets schemas (no code generation, which Workers refuse), and validators are cached
 * per tool definition hash. Messages name the path and the expectation: `/path: expected string, got number`.
 */
import { type OutputUnit, Validator } from "@cfworker/json-schema";
import type { CatalogTool } from "../registry/registry-types";

const MAX_ERRORS_SHOWN = 5;
const cache = new Map<string, Validator | null>();
const MAX_CACHED = 5_000;

function validatorFor(tool: CatalogTool): Validator | null {
  const key = `${tool.server}\u0000${tool.name}\u0000${tool.hash}`;
  let v = cache.get(key);
  if (v === undefined) {
    try {
      const schema = tool.inputSchema;
      const draft = typeof schema === "object" && String(schema.$schema ?? "").includes("2020-12") ? "2020-12" : "7";
      v = new Validator(schema as never, draft, false);
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

/** Returns undefined when valid, else a readable message listing the first few problems. */
export function validateArgs(tool: CatalogTool, args: unknown): string | undefined {
  const validator = validatorFor(tool);
  if (!validator) return undefined;
  let result: ReturnType<Validator["validate"]>;
  try {
    result = validator.validate(args);
  } catch {
    return undefined;
  }
  if (result.valid) return undefined;
  const messages = [...new Set(result.errors.map(describe).filter((m): m is string => !!m))];
  const shown = messages.slice(0, MAX_ERRORS_SHOWN);
  const more = messages.length > shown.length ? ` (and ${messages.length - shown.length} more)` : "";
  return `invalid arguments: ${shown.join("; ") || "they do not match the input schema"}${more}`;
}
