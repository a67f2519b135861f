/**
 * Where the run of our sandbox isolate goes (after the modules are evaluated and the sandbox configured): the trivial
 * program's isolate (bench op `capture`) loaded again with run() cut short at each step, 20 loads per sample,
 * variants interleaved. Run: scripts/node22.sh npx tsx bench/run-split.ts [rounds] (prints q1 and median ms per load).
 */
import type { WorkerLoaderWorkerCode } from "@cloudflare/workers-types";
import {
  ANSWER_AFTER_CONFIGURE,
  editedSandboxModules,
  NO_REJECTION_TURN,
  RUN_CUTS,
  type SourceEdit,
} from "./lib/sandbox-variants";
import { cpuNs, logVariantTable, ownWorkerd } from "./lib/workerd-cpu";
import { benchOp, startBenchWorker } from "./lib/workers";

type Code = WorkerLoaderWorkerCode & { modules: Record<string, string> };

const ROUNDS = Number(process.argv[2] ?? 16);

function edited(code: Code, edits: SourceEdit[]): Code {
  return { ...code, modules: { ...code.modules, ...editedSandboxModules(edits) } };
}

const worker = await startBenchWorker({ servers: [{ name: "workspace", url: "builtin:workspace" }] });
try {
  const { code, options } = await benchOp<{ code: Code; options: Record<string, unknown> }>(worker, {
    op: "capture",
    program: "trivial",
  });
  const variants: Record<string, Code> = {
    "configured, answers at once": edited(code, [ANSWER_AFTER_CONFIGURE]),
    ...Object.fromEntries(Object.entries(RUN_CUTS).map(([name, edit]) => [name, edited(code, [edit])])),
    "whole run, no timer turn for rejections": edited(code, [NO_REJECTION_TURN]),
    "whole run": code,
  };
  const samples = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (const [name, variant] of Object.entries(variants)) {
    await benchOp(worker, { op: "load_variant", code: variant, n: 3, options });
    samples.set(name, []);
    cpu.set(name, []);
  }
  const pid = ownWorkerd();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const before = cpuNs(pid);
      const t = await benchOp<{ ms: number; failures: number; error?: string }>(worker, {
        op: "load_variant",
        code: variant,
        n: 20,
        options,
      });
      if (t.failures > 0) throw new Error(`${name}: ${t.error}`);
      samples.get(name)!.push(t.ms);
      cpu.get(name)!.push((cpuNs(pid) - before) / 1e6 / 20);
    }
  }
  logVariantTable(samples, cpu);
} finally {
  await worker.dispose();
}
