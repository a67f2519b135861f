/**
 * @module bench/bench-worker
 * The benchmark Worker (bench/wrangler.bench.toml). It exports the gateway's own Durable Objects and entrypoints,
 * named one by one, so `ctx.exports` and the bindings match production, plus the bench's session object and
 * probes. `POST /bench` with `{ op, ... }` runs one measurement inside workerd and answers with its timings;
 * bench/run.ts drives it, interleaving the runs it compares.
 */
import type { BenchEnv } from "./worker/bench-env";
import type { Engine } from "./worker/bench-session";
import type { Hop } from "./worker/hops";
import type { GuardVariant } from "./worker/loader-variants";
import { SessionDriver } from "./worker/session-driver";

export {
  BuiltinServers,
  CatalogObject,
  RateLimiter,
  SessionObject,
  SkillStore,
  UserObject,
  WorkspaceStore,
} from "../src/index";
export { BenchSession } from "./worker/bench-session";
export { DoHopEntrypoint, NoopEntrypoint } from "./worker/probes";

/** The bench session object all executor measurements run in (one, as one gateway session would). */
const BENCH_SESSION = "bench";

export type BenchRequest =
  | { op: "compare"; engine: Engine; program: string; quick: boolean }
  | { op: "guard"; variant: GuardVariant; program: string }
  | { op: "hop"; hop: Hop; n: number; overrides?: Record<string, string> }
  | { op: "capture"; program: string }
  | { op: "host_only"; n: number }
  | { op: "load_variant"; code: WorkerLoaderWorkerCode; n: number; options: object }
  | { op: "first_run_codemode"; everything_url: string; programs: string[] }
  | { op: "session"; mode: "cold" | "warm"; calls: number; samples: number; batch: number };

/** Programs for the session path: trivial, or `calls` sequential reads of one file through the built-in upstream. */
function sessionProgram(calls: number): string {
  if (calls === 0) return "return 1;";
  return (
    'import { read_file } from "servers/workspace";\n' +
    `let n = 0;\nfor (let i = 0; i < ${calls}; i++) { if ((await read_file({ path: "/bench/one.txt" })) === "hello") n++; }\nreturn n;`
  );
}

async function sessionPath(env: BenchEnv, req: Extract<BenchRequest, { op: "session" }>) {
  await env.WORKSPACE.getByName("local").writeFile("/bench/one.txt", "hello");
  const code = sessionProgram(req.calls);
  const expect = req.calls === 0 ? 1 : req.calls;
  const samples: number[] = [];
  let failures = 0;
  let error: string | undefined;
  const check = (r: any) => {
    if (r?.ok !== true || r.result !== expect) {
      failures++;
      error ??= JSON.stringify(r?.error ?? r?.result)?.slice(0, 300);
    }
  };
  if (req.mode === "cold") {
    for (let s = 0; s < req.samples; s++) {
      const driver = new SessionDriver(env);
      await driver.open();
      const started = Date.now();
      check(await driver.execute(code));
      samples.push(Date.now() - started);
      await driver.close();
    }
  } else {
    const driver = new SessionDriver(env);
    await driver.open();
    for (let w = 0; w < 2; w++) check(await driver.execute(code));
    failures = 0;
    for (let s = 0; s < req.samples; s++) {
      const started = Date.now();
      for (let b = 0; b < req.batch; b++) check(await driver.execute(code));
      samples.push((Date.now() - started) / req.batch);
    }
    await driver.close();
  }
  return { samples, failures, ...(error ? { error } : {}) };
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    if (request.method !== "POST" || new URL(request.url).pathname !== "/bench") {
      return Response.json({ error: "POST /bench with { op, ... }" }, { status: 404 });
    }
    const req = (await request.json()) as BenchRequest;
    const bench = env.BENCH.getByName(BENCH_SESSION);
    try {
      switch (req.op) {
        case "compare":
          return Response.json(await bench.compare(req.engine, req.program, req.quick, BENCH_SESSION));
        case "guard":
          return Response.json(await bench.guard(req.variant, req.program, BENCH_SESSION));
        case "hop":
          return Response.json(await bench.hop(req.hop, req.n, BENCH_SESSION, req.overrides));
        case "host_only":
          return Response.json(await bench.hostOnly(req.n, BENCH_SESSION));
        case "capture":
          return Response.json(await bench.captureCode(req.program, BENCH_SESSION));
        case "load_variant":
          return Response.json(await bench.loadVariant(req.code, req.n, req.options));
        case "first_run_codemode":
          return Response.json(await bench.firstRunCodemode(req.everything_url, req.programs));
        case "session":
          return Response.json(await sessionPath(env, req));
        default:
          return Response.json({ error: `unknown op ${(req as { op: string }).op}` }, { status: 400 });
      }
    } catch (err) {
      return Response.json({ error: (err as Error).stack ?? String(err) }, { status: 500 });
    }
  },
};
