/**
 * @module bench/scenarios/first-call
 * Scenario 8: the first tool call of a new session, against a real loopback upstream that waits 20 ms before
 * answering each HTTP request (test/support/counting-upstream.mjs), as a distant upstream would. One gateway per
 * upstream kind (2025-11-25 sessionless, 2025-11-25 with sessions, 2026-07-28); a first session lists the catalog
 * and makes the handshake, then each new session of the same user connects and runs one program that calls one
 * tool. Reported: time from the client's connect to that call's result, the execute_code part alone, a second
 * call in the same session (the floor: one upstream round trip), and the upstream requests each new session cost.
 *
 * With BENCH_BASELINE=<another checkout> (its node_modules linked), that checkout's gateway runs beside ours
 * against the same upstream, sessions alternating, so the before/after figures share the machine's moment.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNodeUpstream } from "../../test/support/upstreams";
import { using } from "../lib/cleanup";
import { type BenchClient, connectClient, execute } from "../lib/mcp-client";
import { median, p95, pairRatios, round, time } from "../lib/stats";
import { type RunningWorker, startGatewayWorker } from "../lib/workers";

const UPSTREAM = fileURLToPath(new URL("../../test/support/counting-upstream.mjs", import.meta.url));
/** Added latency per upstream HTTP request, ms. */
export const UPSTREAM_DELAY_MS = 20;
const KINDS = [
  { kind: "stateless", about: "2025-11-25, no upstream session" },
  { kind: "stateful", about: "2025-11-25, upstream session per user" },
  { kind: "modern", about: "2026-07-28" },
] as const;

const CALL = (text: string) => `import { echo } from "servers/upstream"; return await echo({ text: "${text}" });`;

async function posts(url: string): Promise<number> {
  return ((await (await fetch(new URL("/counts", url))).json()) as { posts: number }).posts;
}

async function callOk(client: BenchClient, text: string): Promise<void> {
  const r = await execute(client, CALL(text));
  if (r.isError || !JSON.stringify(r.result ?? "").includes(text)) {
    throw new Error(`first-call: unexpected result ${JSON.stringify(r).slice(0, 300)}`);
  }
}

interface Samples {
  totals: number[];
  executes: number[];
  seconds: number[];
  requests: number[];
}

/** One new session: connect, first call (timed from the connect), a second call; upstream requests counted. */
async function newSession(gateway: RunningWorker, upstreamUrl: string, i: number, into: Samples): Promise<void> {
  const before = await posts(upstreamUrl);
  const started = process.hrtime.bigint();
  const client = await connectClient(new URL("/mcp", gateway.url));
  try {
    const t = await time(() => callOk(client, `s${i}`));
    into.totals.push(Number(process.hrtime.bigint() - started) / 1e6);
    into.executes.push(t.ms);
    into.requests.push((await posts(upstreamUrl)) - before);
    into.seconds.push((await time(() => callOk(client, `again${i}`))).ms);
  } finally {
    await client.close();
  }
}

function summary(s: Samples) {
  return {
    new_session_first_call_p50_ms: round(median(s.totals)),
    new_session_first_call_p95_ms: round(p95(s.totals)),
    first_execute_p50_ms: round(median(s.executes)),
    second_call_p50_ms: round(median(s.seconds)),
    upstream_requests_per_new_session: median(s.requests),
  };
}

async function withGateway<R>(
  label: string,
  path: string | undefined,
  config: object,
  use: (g?: RunningWorker) => Promise<R>,
) {
  if (!path) return use(undefined);
  return using(label, () => startGatewayWorker(config as Record<string, unknown>, {}, path), use);
}

async function measureKind(kind: string, sessions: number, baselineDir: string | undefined) {
  return using(
    `counting upstream (${kind}, ${UPSTREAM_DELAY_MS} ms)`,
    () => startNodeUpstream(UPSTREAM, [kind, String(UPSTREAM_DELAY_MS), "20"]),
    async (upstream) => {
      const config = { network: { allow_loopback: true }, servers: [{ name: "upstream", url: upstream.url }] };
      const baselinePath = baselineDir ? join(baselineDir, "wrangler.toml") : undefined;
      return withGateway(`baseline gateway (${kind})`, baselinePath, config, (baseline) =>
        using(
          `gateway (first call, ${kind})`,
          () => startGatewayWorker(config),
          async (gateway) => {
            for (const g of baseline ? [gateway, baseline] : [gateway]) {
              const first = await connectClient(new URL("/mcp", g.url));
              await callOk(first, "warm").finally(() => first.close());
            }
            const ours: Samples = { totals: [], executes: [], seconds: [], requests: [] };
            const base: Samples = { totals: [], executes: [], seconds: [], requests: [] };
            for (let i = 0; i < sessions; i++) {
              // Alternating which goes first, so neither always meets the other's leftovers.
              if (i % 2 === 0 || !baseline) await newSession(gateway, upstream.url, i, ours);
              if (baseline) await newSession(baseline, upstream.url, i, base);
              if (i % 2 === 1 && baseline) await newSession(gateway, upstream.url, i, ours);
            }
            return {
              kind,
              sessions,
              ...summary(ours),
              ...(baseline
                ? {
                    baseline: summary(base),
                    ratio_median: round(median(pairRatios(ours.totals, base.totals))),
                  }
                : {}),
            };
          },
        ),
      );
    },
  );
}

/** Runs every upstream kind; `quick` uses fewer sessions. */
export async function firstCall(quick: boolean, log: (msg: string) => void) {
  const sessions = quick ? 3 : 15;
  const baselineDir = process.env.BENCH_BASELINE;
  const kinds = [];
  for (const { kind, about } of KINDS) {
    const row = await measureKind(kind, sessions, baselineDir);
    const versus = row.baseline ? ` (baseline ${row.baseline.new_session_first_call_p50_ms} ms)` : "";
    log(`  ${kind}: first call of a new session p50 ${row.new_session_first_call_p50_ms} ms${versus}`);
    kinds.push({ ...row, about });
  }
  return {
    upstream_delay_ms: UPSTREAM_DELAY_MS,
    measured:
      "new MCP session (same user, catalog already listed by an earlier session) -> execute_code calling one upstream tool",
    ...(baselineDir ? { baseline: baselineDir } : {}),
    kinds,
  };
}
