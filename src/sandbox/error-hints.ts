/**
 * @module sandbox/error-hints
 * What a failed program is told beyond V8's words, from what the host knows and the sandbox does not: a name that
 * is not defined may be a tool or a server module not imported, a binding an earlier execution could not keep (with
 * the reason it was dropped then), or a variable of an earlier execution in a session that started empty; a
 * namespace member that is not a function may be a misspelt tool. Names are data: looked up in Maps and with
 * Object.hasOwn, and the work is bounded by the catalog's servers and the scope's few notes.
 */
import type { CarriedImport } from "../scope/scope-analysis";
import type { CarriedScope, DroppedBinding } from "../scope/scope-store";
import type { ExecutionError } from "./execution-types";
import { didYouMean, suggest } from "./prepare-suggest";
import type { HarnessError } from "./runtime-error";

/** The catalog as far as the hints read it. */
export interface HintCatalog {
  servers: ReadonlyArray<{
    serverId: string;
    byId: ReadonlyMap<string, unknown>;
    tools: ReadonlyArray<{ id: string }>;
  }>;
  byServerId: ReadonlyMap<string, { tools: ReadonlyArray<{ id: string }> }>;
}

/** What the host knew about the execution that failed. */
export interface HintContext {
  catalog: HintCatalog;
  /** The session's carried scope, when it has one (absent for skill runs). */
  carried?: {
    /** The scope carried nothing at all: no value, declaration or import. */
    empty: boolean;
    /** Names earlier executions declared but could not keep, with the reason. */
    dropped: readonly DroppedBinding[];
  };
  /** Imports the program made or carried in (namespace ones name a server module). */
  imports: readonly CarriedImport[];
}

/** What the hints read of a carried scope. */
export function carriedSummary(scope: CarriedScope): NonNullable<HintContext["carried"]> {
  const empty = scope.values.length === 0 && scope.declarations.length === 0 && scope.imports.length === 0;
  return { empty, dropped: scope.dropped ?? [] };
}

/** V8's words for a name that is not in scope. */
const NOT_DEFINED = /^([A-Za-z_$][\w$]*) is not defined$/;
/** V8's words for calling a missing member: `ws.read_fil is not a function`. */
const NOT_A_FUNCTION = /^([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*) is not a function$/;
/** Servers named as offering a tool that was called without its import. */
const MAX_SERVERS_NAMED = 3;

/** `error` with what the host can add about `thrown` (nothing for a skill's error or one that is not runtime). */
export function withHints(error: ExecutionError, thrown: HarnessError, context: HintContext): ExecutionError {
  if (error.kind !== "runtime" || thrown.skill) return error;
  const hint =
    thrown.name === "ReferenceError"
      ? notDefinedHint(NOT_DEFINED.exec(thrown.message)?.[1], context)
      : thrown.name === "TypeError"
        ? notAFunctionHint(NOT_A_FUNCTION.exec(thrown.message), context)
        : undefined;
  return hint ? { ...error, message: `${error.message}. ${hint}` } : error;
}

function notDefinedHint(name: string | undefined, context: HintContext): string | undefined {
  if (!name) return undefined;
  const { catalog, carried } = context;
  if (catalog.byServerId.has(name)) {
    return `${name} is a server module, not a variable: import it first, import * as ${name} from "servers/${name}" (or import { tool_name } from "servers/${name}")`;
  }
  const offering: string[] = [];
  for (const server of catalog.servers) {
    if (!server.byId.has(name)) continue;
    offering.push(server.serverId);
    if (offering.length === MAX_SERVERS_NAMED) break;
  }
  if (offering.length > 0) {
    const imports = offering.map((id) => `import { ${name} } from "servers/${id}"`).join(" or ");
    return `${name} is a tool: import it first, ${imports}`;
  }
  const dropped = carried?.dropped.find((d) => d.name === name);
  if (dropped) return `${name} was declared by an earlier execution but not carried over: ${dropped.reason}`;
  if (carried?.empty) {
    return `If ${name} was a top-level variable of an earlier execution: variables carry from one execution to the next within one MCP session (or 2026-07-28 context), and this one started with none. A client that opens a new session for every call (the MCP Inspector CLI does) starts empty each time; keep data in a tool (the workspace's write_file) or use a client that keeps its session.`;
  }
  return undefined;
}

function notAFunctionHint(match: RegExpExecArray | null, context: HintContext): string | undefined {
  if (!match) return undefined;
  const [, local, member] = match as unknown as [string, string, string];
  const imported = context.imports.find((i) => i.local === local && i.imported === "*");
  const server = imported?.source.startsWith("servers/") ? imported.source.slice("servers/".length) : undefined;
  const entry = server === undefined ? undefined : context.catalog.byServerId.get(server);
  if (!entry) return undefined;
  const close = suggest(
    member,
    entry.tools.map((t) => t.id),
    3,
  ).map((id) => `${local}.${id}`);
  return `servers/${server} has no tool "${member}".${didYouMean(close)}`.trim();
}
