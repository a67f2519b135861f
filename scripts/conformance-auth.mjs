#!/usr/bin/env node
// Runs every `auth/*` client scenario of the official MCP conformance suite (@modelcontextprotocol/conformance)
// against the gateway's OAuth client to user servers, through scripts/conformance-auth-client.ts (the code of
// src/user/oauth/ and src/registry/upstream.ts, in Node). Four runs: the auth scenarios MCP 2025-11-25 requires and
// those 2026-07-28 requires (each at its revision's wire) from a local gateway (http origin: dynamic registration),
// the 2026-07-28 ones again from a deployed gateway (https origin: its Client ID Metadata Document where the
// authorization server supports one), and the auth extension scenarios (reported by the suite, never scored). Every scenario must pass except those listed per run in test/conformance-auth-expected-failures.json,
// each with its reason: an entry is a reason (the whole scenario) or `{ "checks": { "<check id>": reason } }` (only
// those checks may fail). A listed scenario or check that passes fails the run too, so the list stays honest.
//   npm run conformance:auth                                       (scripts/node22.sh node scripts/conformance-auth.mjs)
//   npm run conformance:auth -- --run 2026-07-28 --scenario auth/iss-wrong-issuer   (one run, one scenario)
// CONFORMANCE_KEEP=1 keeps the suite's checks.json files; CONFORMANCE_VERBOSE=1 prints the suite's output.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { judge, newResult, recordChecks } from "./conformance-judge.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const EXPECTED = join(ROOT, "test/conformance-auth-expected-failures.json");
const HARNESS = `${process.execPath} --no-warnings ${join(ROOT, "node_modules/tsx/dist/cli.mjs")} ${join(ROOT, "scripts/conformance-auth-client.ts")}`;
/** Per scenario: the suite's own client timeout, and ours around the whole CLI run. */
const CLIENT_TIMEOUT_MS = 30_000;
const SCENARIO_TIMEOUT_MS = 90_000;
const CONCURRENCY = 2;
const REVISIONS = ["2025-11-25", "2026-07-28"];
/** The origin of a deployed gateway (never contacted: the harness stops at the callback redirect). */
const HTTPS_ORIGIN = "https://gateway.conformance.invalid";

/** The auth scenarios of `conformance list`: required ones per revision, and the extension ones. */
function listScenarios() {
  const runs = [];
  const extensions = new Set();
  for (const revision of REVISIONS) {
    const out = spawnSync(process.execPath, [CLI, "list", "--client", "--requirements", revision], {
      encoding: "utf8",
    });
    if (out.status !== 0) throw new Error(`conformance list failed: ${out.stderr}`);
    const required = [];
    let section = "";
    for (const line of out.stdout.split("\n")) {
      if (!line.startsWith(" ")) section = line;
      const name = /^\s+- (auth\/\S+)/.exec(line)?.[1];
      if (!name) continue;
      if (section.startsWith("Client scenarios")) required.push(name);
      else if (line.includes("[client]")) extensions.add(name);
    }
    if (required.length === 0) throw new Error(`conformance list names no auth scenario for ${revision}`);
    runs.push({ name: revision, specVersion: revision, scenarios: required });
    if (revision === "2026-07-28") {
      runs.push({ name: `${revision}-https`, specVersion: revision, origin: HTTPS_ORIGIN, scenarios: required });
    }
  }
  runs.push({ name: "extensions", scenarios: [...extensions] });
  return runs;
}

function parseArgs(argv) {
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  return { run: value("--run"), scenario: value("--scenario") };
}

/** Every checks.json under `dir` (the suite nests `auth/<name>-<time>/`). */
function findChecks(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith("checks.json"))
    .map((f) => join(dir, String(f)));
}

/** Runs one scenario; resolves with its failed and passed check ids (and the CLI output, for diagnosis). */
function runScenario(scenario, { specVersion, origin }, outDir) {
  const args = [CLI, "client", "--command", HARNESS, "--scenario", scenario, "--timeout", String(CLIENT_TIMEOUT_MS)];
  if (specVersion) args.push("--spec-version", specVersion);
  args.push("-o", outDir);
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(origin ? { CONFORMANCE_ORIGIN: origin } : {}) };
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\nconformance-auth: ${scenario} exceeded ${SCENARIO_TIMEOUT_MS} ms; stopped`;
      child.kill("SIGKILL");
    }, SCENARIO_TIMEOUT_MS);
    child.on("error", reject);
    child.on("exit", () => {
      clearTimeout(timer);
      const entry = { ...newResult(), output };
      for (const file of findChecks(outDir)) recordChecks(entry, JSON.parse(readFileSync(file, "utf8")));
      // No checks at all (the suite crashed, or skipped the scenario) is a failure of its own.
      if (entry.failed.size === 0 && entry.passed.size === 0) {
        entry.failed.add("no-results");
        entry.messages.set("no-results", output.trim().split("\n").slice(-5).join(" | ").slice(0, 300));
      }
      resolve(entry);
    });
  });
}

/** Runs `scenarios` at most CONCURRENCY at a time; resolves with name -> result. */
async function runAll(scenarios, run, state) {
  const results = new Map();
  const queue = scenarios.map((name, i) => ({ name, dir: join(state, String(i)) }));
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const result = await runScenario(item.name, run, item.dir);
      console.log(`  ${result.failed.size ? "fail" : "pass"}  ${item.name}`);
      if (process.env.CONFORMANCE_VERBOSE) console.log(result.output);
      results.set(item.name, result);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return new Map([...results].sort(([a], [b]) => a.localeCompare(b)));
}

async function main() {
  const expectations = JSON.parse(readFileSync(EXPECTED, "utf8")).expected_failures;
  const { run: onlyRun, scenario } = parseArgs(process.argv.slice(2));
  const state = mkdtempSync(join(tmpdir(), "cg-conformance-auth-"));
  const problems = [];
  try {
    for (const run of listScenarios().filter((r) => !onlyRun || r.name === onlyRun)) {
      const scenarios = scenario ? run.scenarios.filter((s) => s === scenario) : run.scenarios;
      if (scenarios.length === 0) continue;
      console.log(`conformance:auth: ${run.name}: ${scenarios.length} scenarios`);
      const results = await runAll(scenarios, run, join(state, run.name));
      problems.push(...judge("conformance:auth", run.name, results, expectations[run.name] ?? {}));
    }
  } finally {
    if (process.env.CONFORMANCE_KEEP) console.log(`conformance:auth: results kept in ${state}`);
    else rmSync(state, { recursive: true, force: true });
  }
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`conformance:auth: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
