/**
 * @module bench/worker/hops
 * Single hops timed alone, for the vs_cloudflare_codemode scenario's breakdown: isolate starts (minimal, with either
 * executor's compatibility settings, ours with edited modules), our executor's host side alone, RPC from the sandbox
 * (env binding, RpcTarget argument, Durable Object) and the host's three ways to the built-in workspace.
 */
import { DynamicWorkerExecutor } from "@cloudflare/codemode";
import type { GatewayConfig } from "../../src/config";
import { connectUpstream } from "../../src/registry/connect";
import { SANDBOX_COMPATIBILITY_DATE } from "../../src/sandbox/sandbox-isolate";
import { codemodeSource, ECHO_SERVER, ECHO_TOOL, oursSource, PROGRAMS } from "../programs";
import { type BatchTiming, type RunOutcome, runBatch, same } from "./batch";
import type { BenchEnv } from "./bench-env";
import { capturingLoader, MINIMAL_RUN, type RunOptions } from "./loader-variants";
import { type BenchExports, HOP_ISOLATE, NoopTarget } from "./probes";

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

/** What a hop needs of the bench's session object. */
export interface HopHost {
  env: BenchEnv;
  exports: BenchExports;
  ctxExports: DurableObjectState["exports"];
  config: GatewayConfig;
  ours(code: string, session: string, loader?: WorkerLoader): Promise<RunOutcome>;
  hostOnly(n: number, session: string): Promise<BatchTiming>;
}

/** `n` operations over one hop; milliseconds per operation. */
export async function timeHop(
  host: HopHost,
  hop: Hop,
  n: number,
  session: string,
  overrides?: Record<string, string>,
): Promise<BatchTiming> {
  const load = (env: Record<string, unknown>, compatibilityDate = SANDBOX_COMPATIBILITY_DATE, flags: string[] = []) =>
    host.env.LOADER.load({
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
      return runBatch(n, 0, async () => ({ ok: true, value: await load({}).none() }));
    case "isolate_codemode_compat":
      // The minimal isolate with codemode's compatibility settings (2025-06-01, nodejs_compat) instead of ours.
      return runBatch(n, 0, async () => ({
        ok: true,
        value: await load({}, "2025-06-01", ["nodejs_compat"]).none(),
      }));
    case "isolate_no_nodejs_compat":
      // Since 2026-08-04 nodejs_compat is on by default; the sandbox imports no Node module, so it can be off.
      return runBatch(n, 0, async () => ({
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
      await host.ours(
        trivial,
        session,
        capturingLoader(
          host.env.LOADER,
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
      return runBatch(n, true, async () => {
        const entry = host.env.LOADER.load({ ...code!, ...flags, modules, env: {} }).getEntrypoint() as unknown as {
          run(o: object): Promise<{ ok: boolean }>;
        };
        return { ok: true, value: (await entry.run(options)).ok };
      });
    }
    case "isolate_codemode": {
      let code: WorkerLoaderWorkerCode | undefined;
      const trivial = codemodeSource(PROGRAMS.find((p) => p.name === "trivial")!);
      const executor = new DynamicWorkerExecutor({
        loader: capturingLoader(host.env.LOADER, (c) => (code = c)),
        timeout: host.config.limits.execution_timeout_ms,
      });
      await executor.execute(trivial, [{ name: ECHO_SERVER, fns: { [ECHO_TOOL]: async (args: unknown) => args } }]);
      return runBatch(n, 1, async () => {
        const entry = host.env.LOADER.load(code!).getEntrypoint() as unknown as {
          evaluate(d: object, c: object): Promise<{ result: unknown }>;
        };
        return { ok: true, value: (await entry.evaluate({}, {})).result };
      });
    }
    case "executor_host":
      return host.hostOnly(n, session);
    case "env_noop": {
      const ep = load({ T: host.exports.NoopEntrypoint({}) });
      await ep.none();
      return timed(() => ep.viaEnv(n), expected);
    }
    case "env_do": {
      const ep = load({ T: host.exports.DoHopEntrypoint({ props: { session } }) });
      await ep.none();
      return timed(() => ep.viaEnv(n), expected);
    }
    case "arg_rpctarget": {
      const ep = load({});
      await ep.none();
      return timed(() => ep.viaArg(new NoopTarget(), n), expected);
    }
    case "workspace_do": {
      const store = host.env.WORKSPACE.getByName("bench");
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
      const store = host.env.WORKSPACE.getByName("bench");
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
      await host.env.WORKSPACE.getByName("bench").writeFile("/bench/hop.txt", "hello");
      const server = host.config.servers[0]!;
      const conn = connectUpstream(
        { ...server, name: "workspace", url: "builtin:workspace" },
        {
          env: host.env as unknown as Record<string, unknown>,
          exports: host.ctxExports,
          user: "bench",
          gateway: host.config,
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
