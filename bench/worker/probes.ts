/**
 * @module bench/worker/probes
 * RPC entrypoints and targets the bench hands to sandbox isolates. `BenchBridge` is the gateway's ToolBridge
 * with the bench's Durable Object binding (ToolBridge reads `env.SESSION`, which the bench keeps for the real
 * SessionObject); the others do nothing, so timing a call to them times the hop alone.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { BridgeProps, BridgeReply } from "../../src/sandbox/execution-types";
import type { BenchEnv } from "./bench-env";

const MAX_NAME_CHARS = 512;

/** Same checks and forwarding as src/sandbox/tool-bridge.ts, to the bench session object. */
export class BenchBridge extends WorkerEntrypoint<BenchEnv, BridgeProps> {
  async call(server: unknown, tool: unknown, argsJson: unknown): Promise<BridgeReply> {
    if (
      typeof server !== "string" ||
      typeof tool !== "string" ||
      typeof argsJson !== "string" ||
      server.length > MAX_NAME_CHARS ||
      tool.length > MAX_NAME_CHARS
    ) {
      return { ok: false, status: "rejected", error: "malformed tool call: expected (server, tool, JSON arguments)" };
    }
    const { session, execution } = this.ctx.props;
    return this.env.BENCH.getByName(session).bridgeCall(execution, server, tool, argsJson);
  }
}

/** A no-op entrypoint: the cost of one sandbox-to-host RPC through an env binding. */
export class NoopEntrypoint extends WorkerEntrypoint<BenchEnv> {
  async call(i: number): Promise<number> {
    return i;
  }
}

/** Sandbox → entrypoint → Durable Object no-op: the production bridge's two hops without any tool work. */
export class DoHopEntrypoint extends WorkerEntrypoint<BenchEnv, { session: string }> {
  async call(i: number): Promise<number> {
    return this.env.BENCH.getByName(this.ctx.props.session).noop(i);
  }
}

/** A no-op RpcTarget passed as a call argument (how @cloudflare/codemode hands tools to its sandbox). */
export class NoopTarget extends RpcTarget {
  call(i: number): number {
    return i;
  }
}

/** The entrypoints above as `ctx.exports` has them (the gateway's own types describe only src/index.ts). */
export interface BenchExports {
  BenchBridge(options: { props: BridgeProps }): Fetcher;
  NoopEntrypoint(options?: { props?: Record<string, never> }): Fetcher;
  DoHopEntrypoint(options: { props: { session: string } }): Fetcher;
}

/** Source of the isolate used for hop timing: loops of calls to a binding, or to an argument. */
export const HOP_ISOLATE = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async none() { return 0; }
  async viaEnv(n) { let s = 0; for (let i = 0; i < n; i++) s += await this.env.T.call(i); return s; }
  async viaArg(target, n) { let s = 0; for (let i = 0; i < n; i++) s += await target.call(i); return s; }
}
`;
