/**
 * @module sandbox/isolate-modules
 * The modules of one execution's isolate: the sandbox's core (worker-loader/, loaded as text by wrangler's rules),
 * the agent's prepared module, the server modules it imports, and only the optional parts it needs. workerd
 * compiles every module an isolate is given (bench/isolate-split.ts), so what a program cannot use is left out:
 * the full regex guard and its engine, the scope codec, the `gateway` module.
 */
import bridgeGateSource from "../../worker-loader/bridge-gate.js";
import gatewaySource from "../../worker-loader/gateway.js";
import harnessSource from "../../worker-loader/harness.js";
import noNetworkSource from "../../worker-loader/no-network.js";
import notifyQueueSource from "../../worker-loader/notify-queue.js";
import plainDataSource from "../../worker-loader/plain-data.js";
import regexCheckSource from "../../worker-loader/regex-check.js";
import regexGuardSource from "../../worker-loader/regex-guard.js";
import regexGuardLiteSource from "../../worker-loader/regex-guard-lite.js";
import rejectionsSource from "../../worker-loader/rejections.js";
import runtimeSource from "../../worker-loader/runtime.js";
import sandboxGuardsSource from "../../worker-loader/sandbox-guards.js";
import scopeSource from "../../worker-loader/scope.js";
import scopeCodecSource from "../../worker-loader/scope-codec.js";
import scopeNoneSource from "../../worker-loader/scope-none.js";
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
}

/** The isolate's modules: the sandbox's core, the agent's module, the server modules it imports, and what it needs. */
export function moduleMap(
  catalog: Catalog,
  agent: string,
  servers: Iterable<string>,
  needs: ModuleNeeds,
): Record<string, string> {
  const modules: Record<string, string> = {
    "harness.js": harnessSource,
    "runtime.js": runtimeSource,
    "scope.js": needs.scope ? scopeSource : scopeNoneSource,
    "agent.js": agent,
    "sandbox-guards.js": sandboxGuardsSource,
    "no-network.js": noNetworkSource,
    "rejections.js": rejectionsSource,
    "bridge-gate.js": bridgeGateSource,
    "notify-queue.js": notifyQueueSource,
    "regex-guard.js": needs.regex ? regexGuardSource : regexGuardLiteSource,
    "plain-data.js": plainDataSource,
  };
  if (needs.scope) modules["scope-codec.js"] = scopeCodecSource;
  if (needs.regex) modules["regex-check.js"] = regexCheckSource;
  if (needs.gateway) modules["gateway.js"] = gatewaySource;
  for (const serverId of servers) {
    const entry = catalog.byServerId.get(serverId)!;
    modules[`servers/${serverId}.js`] = serverModuleSource(entry);
  }
  return modules;
}
