/**
 * @module sandbox/isolate-modules
 * The modules of one execution's isolate: the sandbox's core (worker-loader/, minified by scripts/build-sandbox.mjs
 * into .sandbox-build/), the agent's prepared module, the server modules it imports, and only the optional parts it
 * needs. workerd compiles every module an isolate is given (bench/isolate-split.ts), so what a program cannot use is
 * left out: the full regex guard and its engine, the scope codec, the `gateway` module, the metered built-ins beyond
 * the three every program gets.
 */
import sandbox from "../../.sandbox-build/sandbox-modules.js";
import type { Catalog } from "../registry/registry";
import type { CarriedScope } from "../scope/scope-store";
import { serverModuleSource } from "./sandbox-modules";

/**
 * A carried value that is (or holds) a RegExp: decoding it builds one, so the program needs the full regex guard.
 * Read from the encoded text (worker-loader/scope-codec.js tags a RegExp `"$cg":"re"`); a string that merely contains
 * the tag costs only the full guard.
 */
export function carriesRegex(values: CarriedScope["values"]): boolean {
  return values.some((v) => v.json.includes('"$cg":"re"'));
}

/** What the program needs beyond the sandbox's core (each left out costs nothing to compile). */
export interface ModuleNeeds {
  /** It can make a regular expression (prepare-walk.ts namesRegex): the full guard and its linear-time engine. */
  regex: boolean;
  /** It has top-level values to carry in or capture: the scope codec. */
  scope: boolean;
  /** It (or a skill it imports) imports `gateway`. */
  gateway: boolean;
  /** It can reach a metered method beyond toString, join and toLocaleString (metered-selection.ts needsMoreMetered). */
  meteredMore: boolean;
}

/** The isolate's modules: the sandbox's core, the agent's module, the server modules it imports, and what it needs. */
export function moduleMap(
  catalog: Catalog,
  agent: string,
  servers: Iterable<string>,
  needs: ModuleNeeds,
): Record<string, string> {
  const modules: Record<string, string> = {
    "harness.js": sandbox["harness.js"],
    "runtime.js": sandbox["runtime.js"],
    "scope.js": needs.scope ? sandbox["scope.js"] : sandbox["scope-none.js"],
    "agent.js": agent,
    "sandbox-guards.js": sandbox["sandbox-guards.js"],
    "metered-builtins.js": sandbox["metered-builtins.js"],
    "metered-more.js": needs.meteredMore ? sandbox["metered-more.js"] : sandbox["metered-more-none.js"],
    "no-network.js": sandbox["no-network.js"],
    "rejections.js": sandbox["rejections.js"],
    "bridge-gate.js": sandbox["bridge-gate.js"],
    "notify-queue.js": sandbox["notify-queue.js"],
    "regex-guard.js": needs.regex ? sandbox["regex-guard.js"] : sandbox["regex-guard-lite.js"],
    "plain-data.js": sandbox["plain-data.js"],
  };
  if (needs.scope) modules["scope-codec.js"] = sandbox["scope-codec.js"];
  if (needs.regex) modules["regex-check.js"] = sandbox["regex-check.js"];
  if (needs.gateway) modules["gateway.js"] = sandbox["gateway.js"];
  for (const serverId of servers) {
    const entry = catalog.byServerId.get(serverId)!;
    modules[`servers/${serverId}.js`] = serverModuleSource(entry);
  }
  return modules;
}
