/**
 * @module scope/scope-capture
 * Turns what the sandbox captured at the end of an execution (worker-loader/scope.js) into a {@link ScopeUpdate}
 * for the store. The reply comes from the agent's isolate, so every field is checked and capped here: the isolate
 * could have replaced the built-ins the harness uses.
 */
import type { PreparedScope } from "../sandbox/prepare-types";
import type { DroppedBinding, ScopeUpdate } from "./scope-store";

/** Longest reason passed on from the isolate. */
const MAX_REASON_CHARS = 300;

/** What the harness reports about the scope (all of it the agent's to forge). */
export interface CapturedScope {
  values?: unknown;
  unstorable?: unknown;
  uninitialized?: unknown;
  error?: unknown;
}

const isName = (name: unknown, allowed: ReadonlySet<string>): name is string =>
  typeof name === "string" && allowed.has(name);

/**
 * The update to store: the values the sandbox encoded (only for names the program really captures), the program's
 * own declarations and imports, and every binding that could not be kept. `carriedValues` are the names already
 * stored: one still uninitialized at the end (redeclared, but the declaration never ran) keeps its stored value.
 * `execution` is stored with each declaration, so an error inside it in a later execution can say where it came from.
 */
export function scopeUpdate(
  prepared: PreparedScope,
  captured: CapturedScope | undefined,
  carriedValues: ReadonlySet<string>,
  execution?: string,
): ScopeUpdate & { note?: string } {
  const allowed = new Set(prepared.captured);
  const update: ScopeUpdate & { note?: string } = {
    values: [],
    declarations: execution ? prepared.own.declarations.map((d) => ({ ...d, execution })) : prepared.own.declarations,
    imports: prepared.own.imports,
    // A class whose declaration runs code is not kept (scope-analysis.ts classInitCode); any earlier one of its
    // name is forgotten, as the program declared it again.
    unstorable: [...prepared.dropped, ...prepared.own.uncarried],
  };
  if (!captured || typeof captured !== "object") {
    update.note = "the top-level values were not captured";
    return update;
  }
  if (captured.error !== undefined) {
    update.note = `the top-level values were not saved: ${String(captured.error).slice(0, MAX_REASON_CHARS)}`;
    return update;
  }
  const seen = new Set<string>();
  for (const v of Array.isArray(captured.values) ? captured.values : []) {
    const { name, json } = (v ?? {}) as { name?: unknown; json?: unknown };
    if (!isName(name, allowed) || typeof json !== "string" || seen.has(name)) continue;
    seen.add(name);
    update.values.push({ name, json });
  }
  for (const u of Array.isArray(captured.unstorable) ? captured.unstorable : []) {
    const { name, reason } = (u ?? {}) as { name?: unknown; reason?: unknown };
    if (!isName(name, allowed) || seen.has(name)) continue;
    seen.add(name);
    update.unstorable.push({ name, reason: `not kept: ${String(reason).slice(0, MAX_REASON_CHARS)}` });
  }
  for (const name of Array.isArray(captured.uninitialized) ? captured.uninitialized : []) {
    if (!isName(name, allowed) || seen.has(name) || carriedValues.has(name)) continue;
    seen.add(name);
    const reason = "not initialized: the execution ended before its declaration ran";
    update.unstorable.push({ name, reason } satisfies DroppedBinding);
  }
  return update;
}
