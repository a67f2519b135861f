/**
 * @module bench/worker/probes
 * RPC entrypoints and targets the bench hands to sandbox isolates. They do nothing, so timing a call to them times
 * the hop alone.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { BenchEnv } from "./bench-env";

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
