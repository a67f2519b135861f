/**
 * @module bench/worker/bench-session
 * A Durable Object that runs the executor benchmarks inside workerd, where the gateway runs executions (the
 * session object): our `executeCode` against the echo registry (through the bridge and this object, as in
 * production), `@cloudflare/codemode`'s DynamicWorkerExecutor on the same programs and the same host function,
 * the step guard on and off, and single hops timed alone. The Workers clock advances only on I/O and in whole
 * milliseconds, so every figure is the time of a batch divided by its size.
 */
import { DurableObject } from "cloudflare:workers";
import { DynamicWorkerExecutor } from "@cloudflare/codemode";
import type { GatewayConfig } from "../../src/config";
import type { Registry } from "../../src/registry/registry";
import type { BridgeReply } from "../../src/sandbox/execution-types";
import { executeCode } from "../../src/sandbox/executor";
import type { LiveExecution } from "../../src/sandbox/live-execution";
import { ExecutionBridge } from "../../src/sandbox/tool-bridge";
import {
  codemodeSource,
  ECHO_SERVER,
  ECHO_TOOL,
  GUARD_PROGRAMS,
  oursSource,
  PROGRAMS,
  quickProgram,
} from "../programs";
import { type BatchTiming, type RunOutcome, runBatch } from "./batch";
import type { BenchEnv } from "./bench-env";
import { benchConfig, echo, echoRegistry } from "./echo-registry";
import { type CodemodeRun, runCorpusThroughCodemode } from "./first-run-codemode";
import { type Hop, type HopHost, timeHop } from "./hops";
import { capturingLoader, type GuardVariant, guardLoader, type RunOptions } from "./loader-variants";
import type { BenchExports } from "./probes";

/** `ours`: the executor as shipped; `codemode`: @cloudflare/codemode's DynamicWorkerExecutor. */
export type Engine = "ours" | "codemode";
export class BenchSession extends DurableObject<BenchEnv> {
  readonly #config: GatewayConfig = benchConfig();
  readonly #registry: Registry = echoRegistry(this.#config);
  readonly #live = new Map<string, LiveExecution>();
  #codemode: DynamicWorkerExecutor | undefined;
  /** A ring of garbage arrays (see #churn). */
  readonly #garbage: unknown[] = new Array(50);
  #garbageAt = 0;

  get #exports(): BenchExports {
    return this.ctx.exports as unknown as BenchExports;
  }

  /** A no-op, reached from the sandbox through DoHopEntrypoint. */
  async noop(i: number): Promise<number> {
    return i;
  }

  /** The bench's programs use no gateway operations. */
  async bridgeHost(_execution: string, op: string): Promise<BridgeReply> {
    return { ok: false, status: "rejected", error: `gateway operation ${op} is not available in the bench` };
  }

  /** Called by the execution's bridge for each tool call of our executor (the same code path as SessionObject.bridgeCall). */
  async bridgeCall(execution: string, server: string, tool: string, argsJson: string): Promise<BridgeReply> {
    const live = this.#live.get(execution);
    if (!live || live.ended) return { ok: false, status: "rejected", error: "execution ended" };
    return live.callTool(server, tool, argsJson);
  }

  async #ours(code: string, _session: string, loader: WorkerLoader = this.env.LOADER): Promise<RunOutcome> {
    const r = await executeCode(
      { code },
      {
        loader,
        registry: this.#registry,
        limits: this.#config.limits,
        live: this.#live,
        bridgeFor: (execution) => new ExecutionBridge(this, execution),
      },
    );
    return r.ok ? { ok: true, value: r.result } : { ok: false, error: `${r.error?.kind}: ${r.error?.message}` };
  }

  async #theirs(code: string): Promise<RunOutcome> {
    this.#codemode ??= new DynamicWorkerExecutor({
      loader: this.env.LOADER,
      timeout: this.#config.limits.execution_timeout_ms,
    });
    const r = await this.#codemode.execute(code, [
      { name: ECHO_SERVER, fns: { [ECHO_TOOL]: async (args: unknown) => echo(args) } },
    ]);
    return r.error === undefined ? { ok: true, value: r.result } : { ok: false, error: r.error };
  }

  /** One batch of a comparison program on one executor. */
  async compare(engine: Engine, name: string, quick: boolean, session: string): Promise<BatchTiming> {
    const found = PROGRAMS.find((p) => p.name === name);
    if (!found) throw new Error(`unknown program ${name}`);
    const p = quick ? quickProgram(found) : found;
    if (engine === "ours") {
      const code = oursSource(p);
      return runBatch(p.batch, p.expect, () => this.#ours(code, session));
    }
    const code = codemodeSource(p);
    return runBatch(p.batch, p.expect, () => this.#theirs(code));
  }

  /** The first-run corpus through codemode's executor against the workspace and server-everything. */
  async firstRunCodemode(everythingUrl: string, programs: string[]): Promise<CodemodeRun[]> {
    const deps = {
      env: this.env as unknown as Record<string, unknown>,
      exports: this.ctx.exports,
      loader: this.env.LOADER,
    };
    return runCorpusThroughCodemode(deps, everythingUrl, programs);
  }

  /** One run of a tight-loop program through our executor, with the step guard in place or removed. */
  async guard(variant: GuardVariant, name: string, session: string): Promise<BatchTiming> {
    const p = GUARD_PROGRAMS.find((g) => g.name === name);
    if (!p) throw new Error(`unknown guard program ${name}`);
    const loader = guardLoader(this.env.LOADER, variant);
    return runBatch(1, p.expect, () => this.#ours(p.body, session, loader));
  }

  /** The isolate our executor loads for a program, and the options it passes its run() (but the bridge). */
  async captureCode(name: string, session: string): Promise<{ code: WorkerLoaderWorkerCode; options: RunOptions }> {
    let code: WorkerLoaderWorkerCode | undefined;
    let options: RunOptions | undefined;
    const p = PROGRAMS.find((x) => x.name === name)!;
    await this.#ours(
      oursSource(p),
      session,
      capturingLoader(
        this.env.LOADER,
        (c) => (code = c),
        (o) => (options = o),
      ),
    );
    const { env: _env, ...rest } = code!;
    return { code: rest as WorkerLoaderWorkerCode, options: options! };
  }

  /** Experiment: our executor's host-side work alone (the loader hands back a sandbox that answers at once). */
  async hostOnly(n: number, session: string): Promise<BatchTiming> {
    const fake = {
      get: () => {
        throw new Error("unused");
      },
      load: () => ({
        getEntrypoint: () => ({
          run: async () => ({ ok: true, result: "1", logs: [], steps: 0, warnings: [] }),
          stop: async () => {},
        }),
      }),
    } as unknown as WorkerLoader;
    return runBatch(n, 1, () => this.#ours("return 1;", session, fake));
  }

  /** `n` loads of the given isolate, each called once with `run(options)` (experiments on the isolate's start). */
  async loadVariant(code: WorkerLoaderWorkerCode, n: number, options: object): Promise<BatchTiming> {
    const timing = await runBatch(n, true, async () => {
      const entry = this.env.LOADER.load({ ...code, env: {} }).getEntrypoint() as unknown as {
        run(o: object): Promise<{ ok: boolean }>;
      };
      const r = await entry.run(options);
      return { ok: true, value: r.ok ?? true };
    });
    this.#churn(n);
    return timing;
  }

  /**
   * Garbage, made after a timed batch of bare isolate loads. workerd frees a dead isolate only when the host isolate
   * collects the stub that loaded it, and loads alone allocate almost nothing on the host, so its old generation is
   * not collected for about 2,000 loads: meanwhile the process grew past 3 GB and every new isolate started about
   * 4 ms slower (2.9 -> 7.2 ms, measured with the minimal isolate). A gateway allocates on every execution (prepare,
   * results), which keeps this from happening there (RSS held at about 525 MB over 1,600 executions), and so does
   * this, outside the timing.
   */
  #churn(loads: number): void {
    for (let i = 0; i < loads; i++) this.#garbage[this.#garbageAt++ % this.#garbage.length] = new Array(20_000).fill(i);
  }

  /** `n` operations over one hop; milliseconds per operation (hops that load isolates make garbage afterwards). */
  async hop(hop: Hop, n: number, session: string, overrides?: Record<string, string>): Promise<BatchTiming> {
    const host: HopHost = {
      env: this.env,
      exports: this.#exports,
      ctxExports: this.ctx.exports,
      config: this.#config,
      ours: (code, s, loader) => this.#ours(code, s, loader),
      hostOnly: (count, s) => this.hostOnly(count, s),
    };
    const timing = await timeHop(host, hop, n, session, overrides);
    if (hop.startsWith("isolate")) this.#churn(n);
    return timing;
  }
}
