/**
 * An interleaved A/B of one program's isolate: B is the isolate the current executor builds (bench op `capture`), A
 * the same isolate with the sandbox's modules as they were at a git ref (each minified as the build ships it; modules
 * the ref does not have are left out; a stand-in such as regex-guard-lite.js is compared with the ref's stand-in).
 * 20 loads per sample, A and B alternating which goes first, `rounds` rounds (default 20); prints q1 and median per
 * load of the wall time and of the CPU the bench's workerd spent (bench/lib/workerd-cpu.ts: on a shared machine the
 * CPU moves far less than the wall time), and the quartiles of the per-round ratios B / A. Only edits to
 * worker-loader/ show here (the host's side is the same for both), and only programs that call no tool (the loads
 * get no bridge): trivial, compute. Run: scripts/node22.sh npx tsx bench/isolate-ab.ts <ref> [program] [rounds]
 */
import { execFileSync } from "node:child_process";
import type { WorkerLoaderWorkerCode } from "@cloudflare/workers-types";
import { minifySandboxModule, sandboxModuleSource } from "../scripts/build-sandbox.mjs";
import { cpuNs, logVariantTable, ownWorkerd, quantile } from "./lib/workerd-cpu";
import { benchOp, startBenchWorker } from "./lib/workers";

type Code = WorkerLoaderWorkerCode & { modules: Record<string, string> };

const [ref = "HEAD", program = "trivial", roundsArg = "20"] = process.argv.slice(2);
const rounds = Number(roundsArg);

/** The stand-ins the executor ships under a module's name when a program does not need the module. */
const STAND_IN: Record<string, string> = {
  "regex-guard.js": "regex-guard-lite.js",
  "scope.js": "scope-none.js",
  "metered-more.js": "metered-more-none.js",
};

/** The file in worker-loader/ the executor shipped as `name` with this text (the module or its stand-in). */
function shippedFile(name: string, text: string): string {
  const standIn = STAND_IN[name];
  if (standIn && text === minifySandboxModule(standIn, sandboxModuleSource(standIn))) return standIn;
  return name;
}

/** worker-loader/<file> at `ref`, minified as shipped, or undefined when the ref has no such file. */
function atRef(file: string): string | undefined {
  try {
    const text = execFileSync("git", ["show", `${ref}:worker-loader/${file}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return minifySandboxModule(file, text);
  } catch {
    return undefined;
  }
}

const worker = await startBenchWorker({ servers: [{ name: "workspace", url: "builtin:workspace" }] });
try {
  const { code, options } = await benchOp<{ code: Code; options: Record<string, unknown> }>(worker, {
    op: "capture",
    program,
  });
  const before: Record<string, string> = {};
  for (const [name, text] of Object.entries(code.modules)) {
    if (name === "agent.js" || name.includes("/")) before[name] = text;
    else {
      const old = atRef(shippedFile(name, text));
      if (old !== undefined) before[name] = old;
    }
  }
  const variants: Record<string, Code> = { A: { ...code, modules: before }, B: code };
  const samples = new Map<string, number[]>([
    ["A", []],
    ["B", []],
  ]);
  const cpu = new Map<string, number[]>([
    ["A", []],
    ["B", []],
  ]);
  for (const [, variant] of Object.entries(variants)) {
    await benchOp(worker, { op: "load_variant", code: variant, n: 3, options });
  }
  const pid = ownWorkerd();
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ["A", "B"] : ["B", "A"];
    const t: Record<string, number> = {};
    const c: Record<string, number> = {};
    for (const name of order) {
      const cpuBefore = cpuNs(pid);
      const r = await benchOp<{ ms: number; failures: number; error?: string }>(worker, {
        op: "load_variant",
        code: variants[name]!,
        n: 20,
        options,
      });
      if (r.failures > 0) throw new Error(`${name}: ${r.error}`);
      c[name] = (cpuNs(pid) - cpuBefore) / 1e6 / 20;
      samples.get(name)!.push(r.ms);
      cpu.get(name)!.push(c[name]!);
      t[name] = r.ms;
    }
    ratios.push(t.B! / t.A!);
    cpuRatios.push(c.B! / c.A!);
  }
  const kb = (c: Code) => (Object.values(c.modules).reduce((n, m) => n + m.length, 0) / 1000).toFixed(1);
  console.log(
    `${program}, ${rounds} rounds; A = ${ref} (${kb(variants.A!)} KB), B = this tree (${kb(variants.B!)} KB)`,
  );
  logVariantTable(samples, cpu);
  for (const [label, xs] of [
    ["wall", ratios],
    ["CPU", cpuRatios],
  ] as const) {
    console.log(
      `B / A per round, ${label}: q1 ${quantile(xs, 0.25).toFixed(3)}, median ${quantile(xs, 0.5).toFixed(3)}, q3 ${quantile(xs, 0.75).toFixed(3)}`,
    );
  }
} finally {
  await worker.dispose();
}
