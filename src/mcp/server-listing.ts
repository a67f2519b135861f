/**
 * @module mcp/server-listing
 * What the discovery tools say about servers: list_servers' summary and text of each, and which servers an answer
 * (a search, a list of names) is missing because they are still connecting or their listing failed.
 */
import type { CircuitSnapshot } from "../registry/circuit-breaker";
import { FIRST_LISTING_PATIENCE_MS, firstLine } from "../registry/listing-patience";
import type { Catalog } from "../registry/registry";
import { listingFailed, type ServerEntry } from "../registry/server-entry";
import { stepUpPending } from "../registry/step-up-scope";
import type { GatewayContext } from "./gateway-context";
import { errorResult } from "./tool-result";

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/** The circuit breaker's view of a network upstream (see registry/circuit-breaker), when it has one. */
export function circuitOf(ctx: GatewayContext, name: string): CircuitSnapshot | undefined {
  const conn = ctx.registry.connection(name) as { circuit?: { snapshot(): CircuitSnapshot } } | undefined;
  return conn?.circuit?.snapshot();
}

/**
 * The catalog for a search or a list of names: it does not wait long for servers never listed yet (they are named
 * as still connecting), except the one server the caller asked about, which it waits for.
 */
export async function patientCatalog(ctx: GatewayContext, only: string | undefined): Promise<Catalog> {
  const catalog = await ctx.registry.catalog({ patienceMs: FIRST_LISTING_PATIENCE_MS });
  const asked = knownServer(catalog, only);
  return asked?.connecting
    ? ctx.registry.catalog({ patienceMs: FIRST_LISTING_PATIENCE_MS, waitFor: [asked.name] })
    : catalog;
}

/** Servers whose first listing is still running (and did not fail before): their tools are not in the answer yet. */
export function stillConnecting(catalog: Catalog): string[] {
  return catalog.servers.filter((s) => s.connecting && !listingFailed(s)).map((s) => s.name);
}

/** Servers whose listing failed, each with the first line of why. */
export function failedServers(catalog: Catalog): Array<{ server: string; error: string }> {
  return catalog.servers
    .filter(listingFailed)
    .map((s) => ({ server: s.name, error: firstLine(s.lastError?.message ?? s.error ?? "unknown error") }));
}

/** The lines that say which servers the answer may be missing, and why. */
export function missingLines(connecting: string[], failed: Array<{ server: string; error: string }>): string[] {
  const lines: string[] = [];
  if (connecting.length) {
    lines.push(`Still connecting (their tools are not included yet; ask again shortly): ${connecting.join(", ")}.`);
  }
  if (failed.length) {
    lines.push(
      `Failed (asking again will not help until it is fixed; list_servers shows more): ${failed.map((f) => `${f.server}: ${f.error}`).join("; ")}`,
    );
  }
  return lines;
}

/** A server's auth as list_servers shows it: the stored status, unless the latest listing says otherwise. */
function authSummary(s: ServerEntry) {
  const auth = s.auth;
  if (s.signIn?.kind === "required") return { ...auth, status: s.signIn.status };
  if (s.status === "error" && auth.status === "connected" && !s.connecting)
    return { ...auth, status: "error" as const };
  return auth;
}

export function serverSummary(s: ServerEntry, circuit: CircuitSnapshot | undefined) {
  return {
    name: s.name,
    scope: s.scope,
    auth: authSummary(s),
    module: `servers/${s.serverId}`,
    url: s.url,
    status: s.connecting && !listingFailed(s) ? ("connecting" as const) : s.status,
    ...(s.connecting && s.error && !listingFailed(s) ? { connecting: s.error } : {}),
    // Failed before, and listed again in the background: said as failed, with why.
    ...(s.connecting && s.error && listingFailed(s) ? { failed: s.error } : {}),
    tool_count: s.tools.length,
    deferred_count: s.deferredCount,
    // Listed by the upstream, left out of the catalog (src/registry/catalog-build.ts): said, never silently lost.
    ...(s.omittedTools ? { omitted_tools: s.omittedTools } : {}),
    last_refresh: iso(s.refreshedAt),
    last_error: s.lastError ? { message: s.lastError.message, at: iso(s.lastError.at) } : null,
    changed_tools: s.changedTools,
    ...(s.transport ? { transport: s.transport } : {}),
    ...(s.protocol ? { protocol: s.protocol } : {}),
    ...(circuit && (circuit.state !== "closed" || circuit.consecutive_failures > 0) ? { circuit } : {}),
    ...(s.description ? { description: s.description } : {}),
  };
}

export function renderServer(s: ReturnType<typeof serverSummary>): string {
  const lines = [
    `${s.name} (${s.scope}, import from "${s.module}"): ${s.status}, ${s.tool_count} tools` +
      (s.deferred_count ? ` (${s.deferred_count} deferred)` : "") +
      (s.last_refresh ? `, listed ${s.last_refresh}` : ""),
  ];
  // A server without sign-in whose connection failed: its auth line ("auth (none): error") only repeats the error
  // line below it.
  const repeatsError =
    s.auth.type === "none" && s.auth.status === "error" && !!(s.failed || (s.status === "error" && s.last_error));
  if (s.auth.status !== "connected" && !repeatsError) {
    lines.push(`  auth (${s.auth.type}): ${s.auth.status}${s.auth.message ? `: ${s.auth.message}` : ""}`);
  }
  for (const up of s.auth.step_up ?? []) lines.push(`  ${stepUpPending(up.tools, up.scope, up.authorization_url)}`);
  if (s.failed) lines.push(`  ${s.failed}`);
  else if (s.status === "error" && s.last_error) lines.push(`  error: ${s.last_error.message}`);
  if (s.connecting) lines.push(`  ${s.connecting}`);
  // The stored reason is worded for every reader (the user's /connections page shows it too): the model is told what
  // the user must do and where it gets the link, unless a failed listing's error above says so already.
  const waits = s.auth.type === "oauth" && (s.auth.status === "expired" || s.auth.status === "authorization_required");
  if (waits && !lines.some((line) => line.includes("sign in"))) {
    lines.push(
      `  the user must sign in${s.auth.status === "expired" ? " again" : ""}: authorize_server gives the link`,
    );
  }
  if (s.circuit) {
    const c = s.circuit;
    // The breaker keeps the first 300 characters of the failure the listing already shows in full: not twice.
    const shown = [s.status === "error" ? s.last_error?.message : undefined, s.connecting, s.failed].filter(
      (m): m is string => !!m,
    );
    // "closed" is the breaker's word for "calls go through": said outright, as a newcomer reads it as "cut off".
    const failures = `${c.consecutive_failures} consecutive failure${c.consecutive_failures === 1 ? "" : "s"}`;
    lines.push(
      (c.state === "closed"
        ? `  circuit closed (calls go through); ${failures}, opens at ${c.failure_threshold}`
        : c.state === "open"
          ? `  circuit open (calls fail fast without reaching it) after ${failures}`
          : `  circuit half-open (the next call tries it again) after ${failures}`) +
        (c.retry_at ? `, next try ${c.retry_at}` : "") +
        (c.last_failure && !shown.some((line) => line.includes(c.last_failure!.message))
          ? `; last: ${c.last_failure.message}`
          : ""),
    );
  }
  if (s.omitted_tools) {
    const o = s.omitted_tools;
    lines.push(
      `  ${o.count} tool${o.count === 1 ? "" : "s"} left out: ${o.reason}: ${o.names.join(", ")}${o.count > o.names.length ? ", …" : ""}`,
    );
  }
  if (s.changed_tools.length) {
    lines.push(`  changed since first seen (check get_tool_details before use): ${s.changed_tools.join(", ")}`);
  }
  return lines.join("\n");
}

export function unknownServer(catalog: Catalog, name: string) {
  return errorResult(`unknown server "${name}"; servers: ${catalog.servers.map((s) => s.name).join(", ")}`);
}

export function knownServer(catalog: Catalog, name: string | undefined): ServerEntry | undefined {
  return name === undefined ? undefined : (catalog.byName.get(name) ?? catalog.byServerId.get(name));
}
