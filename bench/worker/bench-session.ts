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
import { connectUpstream } from "../../src/registry/connect";
import type { Registry } from "../../src/registry/registry";
import type { BridgeReply } from "../../src/sandbox/execution-types";
import { executeCode } from "../../src/sandbox/executor";
import type { LiveExecution } from "../../src/sandbox/live-execution";
import { SANDBOX_COMPATIBILITY_DATE } from "../../src/sandbox/sandbox-isolate";
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
import type { BenchEnv } from "./bench-env";
import { benchConfig, echo, echoRegistry } from "./echo-registry";
import { type CodemodeRun, runCorpusThroughCodemode } from "./first-run-codemode";
import { type BenchExports, HOP_ISOLATE, NoopTarget } from "./probes";

/** `ours`: the executor as shipped; `codemode`: @cloudflare/codemode's DynamicWorkerExecutor. */
export type Engine = "ours" | "codemode";
/** `call`: an experiment, the loop guard as it was before the meter alias (a call of step() in every loop body). */
export type GuardVariant = "guarded" | "unguarded" | "call";
export type Hop =
  | "isolate"
  | "isolate_codemode_compat"
  | "isolate_no_nodejs_compat"
  | "isolate_ours"
  | "isolate_ours_no_builtin_guards"
  | "isolate_ours_nodejs_compat_v2"
  | "isolate_ours_compile_only"
  | "isolate_ours_evaluate_only"
  | "isolate_codemode"
  | "executor_host"
  | "env_noop"
  | "arg_rpctarget"
  | "env_do"
  | "workspace_do"
  | "workspace_handle"
  | "workspace_mcp";

/** One timed batch: mean milliseconds per operation, and how many runs gave a wrong answer or an error. */
export interface BatchTiming {
  ms: number;
  runs: number;
  failures: number;
  error?: string;
}

type RunOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** `guard();` and `guard(weight);` (function starts; catch clauses charge a weight) as src/sandbox/prepare-walk.ts inserts them. */
const GUARD_CALL = /__cg_step_[0-9a-f]+\(\d*\);/g;
const GUARD_EXPR = /\(__cg_step_[0-9a-f]+\(\), /g;
/** A loop step counted on the meter's function-local alias, and the alias itself. */
const LOOP_GUARD = /if\(\+\+(__cg_step_[0-9a-f]+)_m\.n>\1_m\.max\)\1_m\.over\(\);/g;
const METER_ALIAS = /const (__cg_step_[0-9a-f]+)_m=\1_meter;/g;

/** The prepared agent module with every inserted guard removed (the imports stay, unused). */
export function withoutGuard(agent: string): string {
  const stripped = agent
    .replace(LOOP_GUARD, "")
    .replace(METER_ALIAS, "")
    .replace(GUARD_CALL, "")
    .replace(GUARD_EXPR, "(");
  if (/__cg_step_[0-9a-f]+(_m\b|\()/.test(stripped)) {
    throw new Error("bench: could not remove the step guard; src/sandbox/prepare changed how it inserts it");
  }
  return stripped;
}

/**
 * Experiment: the loop guard as it was before, a call of the runtime's step() in every loop body instead of a count
 * on a function-local alias of its meter (what the alias saves in a tight loop).
 */
export function withCallGuard(agent: string): string {
  if (agent.search(LOOP_GUARD) === -1) throw new Error("bench: no loop guard found in agent.js");
  return agent.replace(LOOP_GUARD, "$1();");
}

function agentOf(code: WorkerLoaderWorkerCode): string {
  const agent = code.modules["agent.js"];
  if (typeof agent !== "string") throw new Error("bench: agent.js is missing from the modules map");
  return agent;
}

/** A loader that hands every isolate to the real one, with the guard as shipped, removed, or as a call in loops. */
function guardLoader(real: WorkerLoader, variant: GuardVariant): WorkerLoader {
  return {
    get: real.get.bind(real),
    load(code: WorkerLoaderWorkerCode) {
      if (variant === "guarded") return real.load(code);
      const agent = variant === "unguarded" ? withoutGuard(agentOf(code)) : withCallGuard(agentOf(code));
      return real.load({ ...code, modules: { ...code.modules, "agent.js": agent } });
    },
  } as WorkerLoader;
}

/** A main module that imports none of the others and answers run() at once. */
const MINIMAL_RUN = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { async run() { return { ok: true }; } }`;

/** A loader that records the code of every isolate it loads (to time loading the same isolate alone). */
/** The options our executor passes the sandbox's run(), but the bridge (an RpcTarget of that one execution). */
export type RunOptions = Record<string, unknown>;

function capturingLoader(
  real: WorkerLoader,
  seen: (code: WorkerLoaderWorkerCode) => void,
  seenOptions?: (options: RunOptions) => void,
): WorkerLoader {
  return {
    get: real.get.bind(real),
    load(code: WorkerLoaderWorkerCode) {
      seen(code);
      const worker = real.load(code);
      if (!seenOptions) return worker;
      return {
        getEntrypoint() {
          const entry = worker.getEntrypoint() as unknown as {
            run(o: RunOptions): Promise<unknown>;
            stop(): Promise<void>;
          };
          return {
            run({ bridge: _bridge, ...options }: RunOptions) {
              seenOptions(options);
              return entry.run({ bridge: _bridge, ...options });
            },
            stop: () => entry.stop(),
          };
        },
      };
    },
  } as WorkerLoader;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

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

  async #batch(runs: number, expect: unknown, run: () => Promise<RunOutcome>): Promise<BatchTiming> {
    let failures = 0;
    let error: string | undefined;
    const started = Date.now();
    for (let k = 0; k < runs; k++) {
      const r = await run();
      if (!r.ok || !same(r.value, expect)) {
        failures++;
        error ??= r.ok ? `wrong result ${JSON.stringify(r.value)?.slice(0, 200)}` : r.error;
      }
    }
    return { ms: (Date.now() - started) / runs, runs, failures, ...(error ? { error } : {}) };
  }

  /** One batch of a comparison program on one executor. */
  async compare(engine: Engine, name: string, quick: boolean, session: string): Promise<BatchTiming> {
    const found = PROGRAMS.find((p) => p.name === name);
    if (!found) throw new Error(`unknown program ${name}`);
    const p = quick ? quickProgram(found) : found;
    if (engine === "ours") {
      const code = oursSource(p);
      return this.#batch(p.batch, p.expect, () => this.#ours(code, session));
    }
    const code = codemodeSource(p);
    return this.#batch(p.batch, p.expect, () => this.#theirs(code));
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
    return this.#batch(1, p.expect, () => this.#ours(p.body, session, loader));
  }

  /** The modules map our executor loads for a program (to time variants of the same isolate alone). */
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
    return this.#batch(n, 1, () => this.#ours("return 1;", session, fake));
  }

  /** `n` loads of the given isolate, each called once with `run(options)` (experiments on the isolate's start). */
  async loadVariant(code: WorkerLoaderWorkerCode, n: number, options: object): Promise<BatchTiming> {
    const timing = await this.#batch(n, true, async () => {
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
    const timing = await this.#hop(hop, n, session, overrides);
    if (hop.startsWith("isolate")) this.#churn(n);
    return timing;
  }

  async #hop(hop: Hop, n: number, session: string, overrides?: Record<string, string>): Promise<BatchTiming> {
    const load = (env: Record<string, unknown>, compatibilityDate = SANDBOX_COMPATIBILITY_DATE, flags: string[] = []) =>
      this.env.LOADER.load({
        compatibilityDate,
        ...(flags.length ? { compatibilityFlags: flags } : {}),
        mainModule: "hop.js",
        modules: { "hop.js": HOP_ISOLATE },
        env,
        globalOutbound: null,
      }).getEntrypoint() as unknown as {
        none(): Promise<number>;
        viaEnv(n: number): Promise<number>;
        viaArg(target: NoopTarget, n: number): Promise<number>;
      };
    const expected = (n * (n - 1)) / 2;
    const timed = async (op: () => Promise<unknown>, expect: unknown, count = n): Promise<BatchTiming> => {
      const started = Date.now();
      const value = await op();
      const ms = (Date.now() - started) / count;
      return { ms, runs: count, failures: same(value, expect) ? 0 : 1 };
    };
    switch (hop) {
      case "isolate":
        return this.#batch(n, 0, async () => ({ ok: true, value: await load({}).none() }));
      case "isolate_codemode_compat":
        // The minimal isolate with codemode's compatibility settings (2025-06-01, nodejs_compat) instead of ours.
        return this.#batch(n, 0, async () => ({
          ok: true,
          value: await load({}, "2025-06-01", ["nodejs_compat"]).none(),
        }));
      case "isolate_no_nodejs_compat":
        // Since 2026-08-04 nodejs_compat is on by default; the sandbox imports no Node module, so it can be off.
        return this.#batch(n, 0, async () => ({
          ok: true,
          value: await load({}, SANDBOX_COMPATIBILITY_DATE, ["no_nodejs_compat"]).none(),
        }));
      case "isolate_ours":
      case "isolate_ours_no_builtin_guards":
      case "isolate_ours_nodejs_compat_v2":
      case "isolate_ours_compile_only":
      case "isolate_ours_evaluate_only": {
        // The isolate our executor loads for the trivial program (harness, runtime, guards, agent), without the
        // host-side work around it; the trivial program makes no tool call, so it needs no bridge.
        let code: WorkerLoaderWorkerCode | undefined;
        let options: RunOptions = {};
        const trivial = oursSource(PROGRAMS.find((p) => p.name === "trivial")!);
        await this.#ours(
          trivial,
          session,
          capturingLoader(
            this.env.LOADER,
            (c) => (code = c),
            (o) => (options = o),
          ),
        );
        // Edited modules (no built-in guards, run() answering at once) come from the runner, which edits the
        // sources and minifies them as the build does (bench/lib/sandbox-variants.ts).
        const edited = hop === "isolate_ours_no_builtin_guards" || hop === "isolate_ours_evaluate_only";
        if (edited && !overrides) throw new Error(`bench: hop ${hop} needs its edited modules`);
        const modules = { ...code!.modules, ...overrides };
        if (hop === "isolate_ours_compile_only") {
          // Every module shipped, none imported: workerd compiles them all when it loads the isolate.
          modules["harness.js"] = MINIMAL_RUN;
        }
        // The flags before #17: no_nodejs_compat alone leaves nodejs_compat_v2 on.
        const flags = hop === "isolate_ours_nodejs_compat_v2" ? { compatibilityFlags: ["no_nodejs_compat"] } : {};
        return this.#batch(n, true, async () => {
          const entry = this.env.LOADER.load({ ...code!, ...flags, modules, env: {} }).getEntrypoint() as unknown as {
            run(o: object): Promise<{ ok: boolean }>;
          };
          return { ok: true, value: (await entry.run(options)).ok };
        });
      }
      case "isolate_codemode": {
        let code: WorkerLoaderWorkerCode | undefined;
        const trivial = codemodeSource(PROGRAMS.find((p) => p.name === "trivial")!);
        const executor = new DynamicWorkerExecutor({
          loader: capturingLoader(this.env.LOADER, (c) => (code = c)),
          timeout: this.#config.limits.execution_timeout_ms,
        });
        await executor.execute(trivial, [{ name: ECHO_SERVER, fns: { [ECHO_TOOL]: async (args: unknown) => args } }]);
        return this.#batch(n, 1, async () => {
          const entry = this.env.LOADER.load(code!).getEntrypoint() as unknown as {
            evaluate(d: object, c: object): Promise<{ result: unknown }>;
          };
          return { ok: true, value: (await entry.evaluate({}, {})).result };
        });
      }
      case "executor_host":
        return this.hostOnly(n, session);
      case "env_noop": {
        const ep = load({ T: this.#exports.NoopEntrypoint({}) });
        await ep.none();
        return timed(() => ep.viaEnv(n), expected);
      }
      case "env_do": {
        const ep = load({ T: this.#exports.DoHopEntrypoint({ props: { session } }) });
        await ep.none();
        return timed(() => ep.viaEnv(n), expected);
      }
      case "arg_rpctarget": {
        const ep = load({});
        await ep.none();
        return timed(() => ep.viaArg(new NoopTarget(), n), expected);
      }
      case "workspace_do": {
        const store = this.env.WORKSPACE.getByName("bench");
        await store.writeFile("/bench/hop.txt", "hello");
        return timed(async () => {
          let ok = 0;
          for (let i = 0; i < n; i++) {
            const read = await store.readFile("/bench/hop.txt");
            if (read.ok && read.value === "hello") ok++;
          }
          return ok;
        }, n);
      }
      case "workspace_handle": {
        const store = this.env.WORKSPACE.getByName("bench");
        await store.writeFile("/bench/hop.txt", "hello");
        using handle = await store.open();
        return await timed(async () => {
          let ok = 0;
          for (let i = 0; i < n; i++) {
            const read = await handle.readFile("/bench/hop.txt");
            if (read.ok && read.value === "hello") ok++;
          }
          return ok;
        }, n);
      }
      case "workspace_mcp": {
        await this.env.WORKSPACE.getByName("bench").writeFile("/bench/hop.txt", "hello");
        const server = this.#config.servers[0]!;
        const conn = connectUpstream(
          { ...server, name: "workspace", url: "builtin:workspace" },
          {
            env: this.env as unknown as Record<string, unknown>,
            exports: this.ctx.exports,
            user: "bench",
            gateway: this.#config,
          },
        );
        try {
          await conn.callTool("read_file", { path: "/bench/hop.txt" }, 10_000);
          return await timed(async () => {
            let ok = 0;
            for (let i = 0; i < n; i++) {
              const r = await conn.callTool("read_file", { path: "/bench/hop.txt" }, 10_000);
              if (!r.isError) ok++;
            }
            return ok;
          }, n);
        } finally {
          await conn.close();
        }
      }
    }
  }
}
