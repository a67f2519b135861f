/**
 * Where the start of our sandbox isolate goes: the trivial program's isolate (as the executor builds it, captured
 * with the bench op `capture`) is loaded again with one part cut short at a time (bench op `load_variant`), 20 loads
 * per sample, variants interleaved, 14 rounds. Run: scripts/node22.sh npx tsx bench/isolate-split.ts
 * (prints q1 and median ms per load; nothing is written). The README's "Why the ratio is not <= 1.0" uses it.
 */
import type { WorkerLoaderWorkerCode } from "@cloudflare/workers-types";
import {
  ANSWER_AFTER_CONFIGURE,
  editedSandboxModules,
  METER_BUILTINS,
  NO_BUILTIN_GUARDS,
  NO_REJECTION_TURN,
  type SourceEdit,
} from "./lib/sandbox-variants";
import { benchOp, startBenchWorker } from "./lib/workers";

type Code = WorkerLoaderWorkerCode & { modules: Record<string, string> };

/** The whole run with every metered built-in installed, as for a program that reads a property by a computed name. */
const EVERY_METERED = "whole run, every metered built-in installed";

const MINIMAL = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { run() { return { ok: true }; } }`;

/** The captured isolate with modules edited at the source and minified as shipped (bench/lib/sandbox-variants.ts). */
function edited(code: Code, edits: SourceEdit[]): Code {
  return { ...code, modules: { ...code.modules, ...editedSandboxModules(edits) } };
}

const worker = await startBenchWorker({ servers: [{ name: "workspace", url: "builtin:workspace" }] });
try {
  const { code, options: captured } = await benchOp<{ code: Code; options: Record<string, unknown> }>(worker, {
    op: "capture",
    program: "trivial",
  });
  const variants: Record<string, Code> = {
    "minimal isolate (no harness)": { ...code, modules: { "harness.js": MINIMAL } },
    "all modules shipped, none imported": { ...code, modules: { ...code.modules, "harness.js": MINIMAL } },
    "modules evaluated, guards installed": edited(code, [ANSWER_AFTER_CONFIGURE]),
    "... without the metered built-ins": edited(code, [ANSWER_AFTER_CONFIGURE, ["runtime.js", METER_BUILTINS, ""]]),
    "... without any built-in guard": edited(code, [ANSWER_AFTER_CONFIGURE, ...NO_BUILTIN_GUARDS]),
    "whole run, no timer turn for rejections": edited(code, [NO_REJECTION_TURN]),
    "whole run (as the executor loads it)": code,
  };
  // The options the executor passed, among them the metered built-ins it selected for the program (none beyond the
  // three every program gets: the trivial program names no method).
  const options = captured;
  const optionsOf = (name: string) => (name === EVERY_METERED ? { ...options, metered: undefined } : options);
  variants[EVERY_METERED] = code;
  const samples = new Map<string, number[]>();
  for (const [name, variant] of Object.entries(variants)) {
    await benchOp(worker, { op: "load_variant", code: variant, n: 3, options: optionsOf(name) });
    samples.set(name, []);
  }
  for (let round = 0; round < 14; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const t = await benchOp<{ ms: number; failures: number; error?: string }>(worker, {
        op: "load_variant",
        code: variant,
        n: 20,
        options: optionsOf(name),
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
