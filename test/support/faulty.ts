/**
 * The fault-injecting MCP server (faulty-upstream.mjs) as a test upstream, and its control endpoint.
 */
import { fileURLToPath } from "node:url";
import { startNodeUpstream, type Upstream } from "./upstreams";

const FAULTY = fileURLToPath(new URL("./faulty-upstream.mjs", import.meta.url));

export interface FaultyState {
  mode: string;
  scope: string;
  /** Requests seen, by JSON-RPC method, plus `http` for every HTTP request to /mcp. */
  counts: Record<string, number>;
  sessions: number;
  /** GET streams of server messages open now (where notifications such as list_changed go). */
  streams: number;
}

export interface FaultyUpstream extends Upstream {
  /** Changes the fault mode (and optionally scope, redirect target); returns the server's state. */
  set(options: {
    mode?: string;
    scope?: "call" | "list" | "all";
    redirect_to?: string;
    reset_counts?: boolean;
  }): Promise<FaultyState>;
  state(): Promise<FaultyState>;
}

/** Starts the faulty upstream; options become its `--name=value` arguments (mode, tool-set, tool-count, ...). */
export async function startFaulty(options: Record<string, string | number> = {}): Promise<FaultyUpstream> {
  const args = Object.entries(options).map(([k, v]) => `--${k}=${v}`);
  const upstream = await startNodeUpstream(FAULTY, args);
  const controlUrl = `http://127.0.0.1:${upstream.port}/control`;
  const post = async (body: unknown) =>
    (await fetch(controlUrl, { method: "POST", body: JSON.stringify(body) })).json();
  return {
    ...upstream,
    set: (o) => post({ ...o, reset_counts: o.reset_counts ?? true }) as Promise<FaultyState>,
    state: () => post({}) as Promise<FaultyState>,
  };
}
