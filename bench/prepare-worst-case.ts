/**
 * @module bench/prepare-worst-case
 * How long the largest hostile programs take to prepare (strip, parse, import checks with suggestions, guard
 * insertion, regex planning), timed in Node with the Worker's JavaScript: the session object does this work on the
 * thread all its sessions share. Writes the medians into bench/results.json under `prepare_worst_case`, keeping
 * every other key. Run: `scripts/node22.sh npx tsx bench/prepare-worst-case.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { type PrepareStats, prepareCode } from "../src/sandbox/prepare";
import { median, round } from "./lib/stats";

const RUNS = 7;
const OUT = "bench/results.json";
const exportsList = Array.from({ length: 2_000 }, (_, i) => `tool_number_${i}_with_a_longish_name`);
const MODULES = { servers: { workspace: exportsList }, gateway: ["state", "progress"], skills: {} };

/** Constant declarations after `head` up to `bytes`. */
function padded(head: string, bytes: number): string {
  let code = head;
  for (let i = 0; code.length < bytes; i++) code += `const x${i} = ${i};\n`;
  return code;
}

const unknownImports = (n: number) =>
  `import { ${Array.from({ length: n }, (_, i) => `unknown_name_${i}_abcdefgh`).join(", ")} } from "servers/workspace";\n`;

const PROGRAMS: Array<{ key: string; about: string; code: string }> = [
  {
    key: "unknown_imports_240kb",
    about: "240 KB: 8,000 unknown imports of a 2,000-tool server, then constants (the issue's 8.5 s case)",
    code: padded(unknownImports(8_000), 240_000),
  },
  {
    key: "declarations_1mb",
    about: "1 MB (MAX_CODE_BYTES): 70,000 constants in one scope",
    code: padded("", 999_000),
  },
  {
    key: "regex_literals_240kb",
    about: "240 KB of regex literals, each planned (and rewritten to the linear engine)",
    code: padded(
      Array.from({ length: 5_000 }, (_, i) => `if (/^(a+)+${i}$/.test("a")) n++;`)
        .join("\n")
        .replace(/^/, "let n = 0;\n"),
      240_000,
    ),
  },
];

const results: Record<string, unknown> = {
  about: "prepareCode on the largest hostile programs, median of 7 runs after one warm-up, in Node",
  runtime: `Node ${process.version}`,
  load_average: loadavg().map((l) => Number(l.toFixed(2))),
};
for (const program of PROGRAMS) {
  const stats: PrepareStats = { suggestCells: 0, wordScans: 0 };
  prepareCode({ code: program.code, modules: MODULES, guardName: "__cg_step_0a1b2c" }, stats);
  const samples: number[] = [];
  let ok = false;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    ok = prepareCode({ code: program.code, modules: MODULES, guardName: "__cg_step_0a1b2c" }).ok;
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  results[program.key] = {
    about: program.about,
    bytes: program.code.length,
    ok,
    median_ms: round(median(samples)),
    max_ms: round(Math.max(...samples)),
    suggest_cells: stats.suggestCells,
  };
  console.log(`${program.key}: median ${round(median(samples))} ms (${program.code.length} bytes, ok=${ok})`);
}

const all = JSON.parse(readFileSync(OUT, "utf8")) as Record<string, unknown>;
all.prepare_worst_case = results;
writeFileSync(OUT, `${JSON.stringify(all, null, 2)}\n`);
console.log(`wrote prepare_worst_case into ${OUT}`);
