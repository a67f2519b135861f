#!/usr/bin/env node
// Runs the official MCP conformance server suite (@modelcontextprotocol/conformance) against the gateway started
// locally with its zero-configuration defaults (wrangler's dev server: workerd, real bindings, 127.0.0.1, a free
// port), three times: the scenarios MCP 2025-11-25 requires, those 2026-07-28 requires, and the SEP-2640 skills
// extension scenarios; then the client scenarios that apply to the gateway's upstream client (request metadata,
// standard and custom headers, JSON Schema) through scripts/conformance-client.ts. Every scenario must pass except those listed per run in
// test/conformance-expected-failures.json (fixture tools, prompts and resources of the suite's reference server,
// which the gateway does not have by design). An entry is either a reason (the whole scenario) or
// `{ "checks": { "<check id>": reason } }` (only those checks may fail, so the scenario's other checks still
// count). A listed scenario or check that passes fails the run too, so the list stays honest. The gateway is
// always stopped, whatever happens.
//   npm run conformance                                  (scripts/node22.sh node scripts/conformance.mjs)
//   npm run conformance -- --run 2026-07-28 --scenario caching   (one run, one scenario)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { judge, newResult, recordChecks } from "./conformance-judge.mjs";
import { quietLocalTraces } from "./local-traces.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const EXPECTED = join(ROOT, "test/conformance-expected-failures.json");
const TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS ?? 10 * 60_000);
const SKILL_SCENARIOS = ["sep-2640-skills-enumeration", "sep-2640-skills-manifest", "sep-2640-skills-directory"];
/** Client scenarios that apply to the gateway's upstream client, driven by scripts/conformance-client.ts. */
const CLIENT_SCENARIOS = [
  "request-metadata",
  "http-standard-headers",
  "http-custom-headers",
  "json-schema-ref-no-deref",
];
const HARNESS = `${process.execPath} ${join(ROOT, "node_modules/tsx/dist/cli.mjs")} ${join(ROOT, "scripts/conformance-client.ts")}`;
/** The runs: a name (the key in the expectations file) and the CLI arguments of each invocation. */
const RUNS = [
  { name: "2025-11-25", invocations: [["--requirements", "2025-11-25"]] },
  { name: "2026-07-28", invocations: [["--requirements", "2026-07-28"]] },
  { name: "sep-2640", invocations: SKILL_SCENARIOS.map((s) => ["--scenario", s]) },
  { name: "client", client: true, invocations: CLIENT_SCENARIOS.map((s) => ["--command", HARNESS, "--scenario", s]) },
];

function parseArgs(argv) {
  const only = argv.indexOf("--run");
  const run = only === -1 ? undefined : argv[only + 1];
  const rest = only === -1 ? argv : [...argv.slice(0, only), ...argv.slice(only + 2)];
  const scenario = rest.indexOf("--scenario");
  return { run, scenario: scenario === -1 ? undefined : rest[scenario + 1] };
}

/** Runs the conformance CLI; resolves with its exit code and output (also echoed). */
function runCli(args, { echo = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (stream) => (d) => {
      output += d;
      if (echo) stream.write(d);
    };
    child.stdout.on("data", take(process.stdout));
    child.stderr.on("data", take(process.stderr));
    const timer = setTimeout(() => {
      console.error(`conformance: the suite exceeded ${TIMEOUT_MS} ms; stopping it`);
      child.kill("SIGKILL");
    }, TIMEOUT_MS);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

/** Scenario name -> ids of its failed and passed checks, from the suite's per-scenario `checks.json` files. */
function readResults(outDir) {
  const results = new Map();
  for (const dir of existsSync(outDir) ? readdirSync(outDir) : []) {
    const match = /^(?:server-)?(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir);
    if (!match) continue;
    const checks = JSON.parse(readFileSync(join(outDir, dir, "checks.json"), "utf8"));
    results.set(match[1], recordChecks(results.get(match[1]) ?? newResult(), checks));
  }
  return results;
}

async function main() {
  const expectations = JSON.parse(readFileSync(EXPECTED, "utf8")).expected_failures;
  const { run: onlyRun, scenario } = parseArgs(process.argv.slice(2));
  const { unstable_startWorker } = await import("wrangler");
  // The gateway as `npm run dev` runs it: without wrangler's local request traces.
  quietLocalTraces();
  const state = mkdtempSync(join(tmpdir(), "cg-conformance-"));
  let worker;
  const stop = async () => {
    const w = worker;
    worker = undefined;
    await w?.dispose().catch(() => {});
    // CONFORMANCE_KEEP=1 keeps the suite's checks.json files for inspection.
    if (process.env.CONFORMANCE_KEEP) console.log(`conformance: results kept in ${state}`);
    else rmSync(state, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => stop().finally(() => process.exit(130)));
  }
  try {
    worker = await unstable_startWorker({
      config: join(ROOT, "wrangler.toml"),
      dev: {
        server: { hostname: "127.0.0.1", port: 0 },
        inspector: false,
        persist: join(state, "wrangler"),
        watch: false,
        logLevel: "warn",
      },
    });
    await worker.ready;
    const url = new URL("/mcp", await worker.url);
    console.log(`conformance: gateway at ${url}`);
    const problems = [];
    for (const run of RUNS.filter((r) => !onlyRun || r.name === onlyRun)) {
      const outDir = join(state, `results-${run.name}`);
      const revision = run.name.startsWith("20") ? ["--spec-version", run.name] : [];
      const invocations = scenario ? [["--scenario", scenario, ...revision]] : run.invocations;
      for (const extra of invocations) {
        const args = run.client
          ? ["client", ...extra, "-o", outDir]
          : ["server", "--url", url.href, ...extra, "-o", outDir];
        console.log(`conformance: ${args.join(" ")}`);
        await runCli(args);
      }
      const results = readResults(outDir);
      if (results.size === 0) throw new Error(`the conformance suite produced no results for ${run.name}`);
      problems.push(...judge("\nconformance", run.name, results, expectations[run.name] ?? {}));
    }
    return problems.length === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`conformance: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
