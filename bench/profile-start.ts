/**
 * Where an execution's CPU goes inside workerd, ours against `@cloudflare/codemode`, from workerd's own stack samples:
 * each engine runs one program over and over (bench op `compare`, as the executor comparison does) while
 * `perf record` samples the workerd process; the samples under each phase (isolate creation, module compilation,
 * module evaluation, lazy compilation, the requests) are divided by the executions finished in the sampled window.
 * workerd ships with its symbols, so the phases are its own functions and V8's. Needs Linux `perf` (Debian:
 * `apt-get install linux-perf`) and permission to sample the process (root, or perf_event_paranoid <= 1).
 * Run: scripts/node22.sh npx tsx bench/profile-start.ts [program ...] (default: trivial task20; prints a table per
 * program, in CPU ms per execution; nothing is written, unless KEEP_PROFILES=1 keeps perf's data for `perf report`).
 * The README's "Why the ratio is not <= 1.0" uses it.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchOp, startBenchWorker } from "./lib/workers";
import { PROGRAMS } from "./programs";
import type { BatchTiming } from "./worker/batch";

/**
 * Phases, each the inclusive samples of workerd or V8 functions (summed where a phase lists several). Phases nest
 * (lazy compilation happens inside the others), so they do not add up.
 */
const PHASES: [label: string, symbols: RegExp[]][] = [
  ["all of workerd's CPU", [/^workerd_server::entry::serve$/]],
  [
    "new V8 isolate, new context (global scope), workerd's bootstrap",
    [/^workerd::server::WorkerdApi::WorkerdApi$/, /^v8::Context::New$/, /^workerd::runPerIsolateBootstrap$/],
  ],
  ["compiling the isolate's modules", [/^workerd::server::WorkerdApi::compileModules$/]],
  ["evaluating the isolate's modules", [/^v8::Module::Evaluate$/]],
  ["requests: the host's executor, the isolate's run(), tool calls", [/^workerd::IoContext::runImpl$/]],
  ["V8 compiling functions on first call (inside the phases above)", [/^v8::internal::Runtime_CompileLazy$/]],
  ["isolate teardown", [/^workerd::Worker::Isolate::~Isolate$/]],
];
const SECONDS = 8;
const ENGINES = ["ours", "codemode"] as const;

function perfAvailable(): boolean {
  return spawnSync("perf", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The workerd process that has used the most CPU: the bench Worker's (wrangler may run a second, idle one). */
function busiestWorkerd(): string {
  const pids = spawnSync("pgrep", ["-f", "bin/workerd serve"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  const cpu = (pid: string) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime, after the "pid (comm) " prefix
  };
  const busiest = pids.sort((a, b) => cpu(b) - cpu(a))[0];
  if (!busiest) throw new Error("no workerd process found");
  return busiest;
}

/** CPU ms per execution under each phase, from `perf report` over the samples in `data`. */
function phases(data: string, executions: number): Map<string, number> {
  const r = spawnSync("perf", ["report", "-i", data, "--children", "--sort", "sym", "-g", "none", "--stdio"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`perf report failed: ${r.stderr}`);
  // cpu-clock counts nanoseconds: the event count is the CPU time sampled.
  const cpuNs = Number(/Event count \(approx\.\): (\d+)/.exec(r.stdout)?.[1] ?? Number.NaN);
  if (!(cpuNs > 0)) throw new Error("perf report: no samples (is perf allowed to sample the process?)");
  const bySymbol = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*([\d.]+)%\s+[\d.]+%\s+\[.\]\s+(.*)$/.exec(line);
    if (m) bySymbol.set(m[2]!.trim(), Math.max(bySymbol.get(m[2]!.trim()) ?? 0, Number(m[1])));
  }
  const out = new Map<string, number>();
  for (const [label, symbols] of PHASES) {
    let percent = 0;
    for (const re of symbols) {
      for (const [symbol, p] of bySymbol) if (re.test(symbol)) percent += p;
    }
    out.set(label, ((percent / 100) * cpuNs) / 1e6 / executions);
  }
  return out;
}

if (!perfAvailable()) {
  console.error("perf is not installed: apt-get install linux-perf (Debian), then run this again");
  process.exit(1);
}
const programs = process.argv.slice(2).length ? process.argv.slice(2) : ["trivial", "task20"];
for (const name of programs) {
  if (!PROGRAMS.some((p) => p.name === name)) throw new Error(`unknown program ${name}`);
}
const HZ = 1000;
const dir = mkdtempSync(join(tmpdir(), "cg-profile-"));
const worker = await startBenchWorker({ servers: [{ name: "workspace", url: "builtin:workspace" }] });
try {
  for (const program of programs) {
    const results = new Map<string, Map<string, number>>();
    for (const engine of ENGINES) {
      const run = () => benchOp<BatchTiming>(worker, { op: "compare", engine, program, quick: false });
      for (let i = 0; i < 10; i++) await run();
      const pid = busiestWorkerd();
      const data = join(dir, `${engine}-${program}.data`);
      const perf = spawn("perf", ["record", "-e", "cpu-clock", "-F", String(HZ), "-g", "-p", pid, "-o", data], {
        stdio: "ignore",
      });
      // Listened for at once, so a perf that fails to attach and exits early is not waited for forever.
      const exited = new Promise((resolve) => perf.once("exit", resolve));
      let executions = 0;
      try {
        // perf needs a moment to attach; executions are counted from here to the moment it is stopped.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const end = Date.now() + SECONDS * 1000;
        while (Date.now() < end) {
          const t = await run();
          if (t.failures > 0) throw new Error(`${engine} ${program}: ${t.error}`);
          executions += t.runs;
        }
      } finally {
        // Stopped on every path: a failed run must not leave perf recording.
        if (perf.exitCode === null && perf.signalCode === null) perf.kill("SIGINT");
        await exited;
      }
      results.set(engine, phases(data, executions));
    }
    console.log(`\n${program}: CPU ms per execution inside workerd (perf, ${SECONDS} s per engine)\n`);
    console.log("| phase | ours | codemode | difference |\n| --- | --- | --- | --- |");
    for (const [label] of PHASES) {
      const ours = results.get("ours")!.get(label) ?? 0;
      const theirs = results.get("codemode")!.get(label) ?? 0;
      const diff = ours - theirs;
      console.log(
        `| ${label} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${diff >= 0 ? "+" : ""}${diff.toFixed(2)} |`,
      );
    }
  }
} finally {
  await worker.dispose();
  if (process.env.KEEP_PROFILES) console.log(`\nperf data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
