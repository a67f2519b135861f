/**
 * Where the start of our sandbox isolate goes: the trivial program's isolate (as the executor builds it, captured
 * with the bench op `capture`) is loaded again with one part cut short at a time (bench op `load_variant`), 20 loads
 * per sample, variants interleaved, 14 rounds. Run: scripts/node22.sh npx tsx bench/isolate-split.ts
 * (prints q1 and median ms per load; nothing is written). The README's "Why the ratio is not <= 1.0" uses it.
 */
import type { WorkerLoaderWorkerCode } from "@cloudflare/workers-types";
import { editedSandboxModules, HARNESS_RUN, INSTALL_GUARDS, type SourceEdit } from "./lib/sandbox-variants";
import { benchOp, startBenchWorker } from "./lib/workers";

type Code = WorkerLoaderWorkerCode & { modules: Record<string, string> };

const MINIMAL = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { run() { return { ok: true }; } }`;

/** The captured isolate with modules edited at the source and minified as shipped (bench/lib/sandbox-variants.ts). */
function edited(code: Code, edits: SourceEdit[]): Code {
  return { ...code, modules: { ...code.modules, ...editedSandboxModules(edits) } };
}

const worker = await startBenchWorker({ servers: [{ name: "workspace", url: "builtin:workspace" }] });
try {
  const code = await benchOp<Code>(worker, { op: "capture", program: "trivial" });
  const variants: Record<string, Code> = {
    "minimal isolate (no harness)": { ...code, modules: { "harness.js": MINIMAL } },
    "all modules shipped, none imported": { ...code, modules: { ...code.modules, "harness.js": MINIMAL } },
    "modules evaluated, guards installed": edited(code, [
      ["harness.js", HARNESS_RUN, `${HARNESS_RUN} return { ok: true };`],
    ]),
    "... without the metered built-ins": edited(code, [
      ["harness.js", HARNESS_RUN, `${HARNESS_RUN} return { ok: true };`],
      ["runtime.js", INSTALL_GUARDS, ""],
    ]),
    "whole run, no timer turn for rejections": edited(code, [
      ["rejections.js", "await new Promise((resolve) => wait(resolve, 0));", ""],
    ]),
    "whole run (as the executor loads it)": code,
  };
  const options = { maxSteps: 10_000_000, maxLogBytes: 65_536, maxLogLines: 1_000 };
  const samples = new Map<string, number[]>();
  for (const [name, variant] of Object.entries(variants)) {
    await benchOp(worker, { op: "load_variant", code: variant, n: 3, options });
    samples.set(name, []);
  }
  for (let round = 0; round < 14; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const t = await benchOp<{ ms: number; failures: number; error?: string }>(worker, {
        op: "load_variant",
        code: variant,
        n: 20,
        options,
      });
      if (t.failures > 0) throw new Error(`${name}: ${t.error}`);
      samples.get(name)!.push(t.ms);
    }
  }
  console.log("| variant | q1 ms | median ms |\n| --- | --- | --- |");
  for (const [name, ms] of samples) {
    ms.sort((a, b) => a - b);
    console.log(`| ${name} | ${ms[ms.length >> 2]!.toFixed(2)} | ${ms[ms.length >> 1]!.toFixed(2)} |`);
  }
} finally {
  await worker.dispose();
}
