/**
 * @module registry/tool-filter
 * Per-server tool selection from the configuration: `tools.allow` / `tools.deny` decide which upstream tools the
 * gateway exposes at all, `defer_loading` which of them stay out of `list_tool_names` by default. Patterns are
 * exact upstream tool names or globs where `*` matches any run of characters (`github_*`, `*_delete`).
 */
import type { ServerConfig } from "../config";
import { compileGlob, type Glob } from "../glob-match";

/** A compiled name pattern list: true when any pattern matches. */
export type NameMatcher = (name: string) => boolean;

/** `*` matches any run of characters; nothing else is special. Matched without a regex: upstream names are long. */
const NAME_GLOB = { pathSegments: false, question: false, ignoreCase: false } as const;

/** Compiles exact names and `*` globs into one matcher (exact names use a Set, so 10,000 of them stay cheap). */
export function nameMatcher(patterns: readonly string[]): NameMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  for (const p of patterns) {
    if (p.includes("*")) globs.push(compileGlob(p, NAME_GLOB));
    else exact.add(p);
  }
  return (name) => exact.has(name) || globs.some((g) => g.match(name));
}

export interface ToolSelection {
  /** Whether the gateway exposes this upstream tool (allow list, then deny list). */
  exposed(name: string): boolean;
  /** Whether this exposed tool is deferred (`defer_loading`). */
  deferred(name: string): boolean;
}

/** The selection rules of one configured server. */
export function toolSelection(config: Pick<ServerConfig, "tools" | "defer_loading">): ToolSelection {
  const allow = config.tools?.allow ? nameMatcher(config.tools.allow) : undefined;
  const deny = config.tools?.deny ? nameMatcher(config.tools.deny) : undefined;
  const defer = config.defer_loading;
  const deferList = Array.isArray(defer) ? nameMatcher(defer) : undefined;
  return {
    exposed: (name) => (allow ? allow(name) : true) && !(deny?.(name) ?? false),
    deferred: (name) => defer === true || (deferList?.(name) ?? false),
  };
}
