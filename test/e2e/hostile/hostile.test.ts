/**
 * The hostile-code corpus (README.md in this folder): every sample runs in ONE session of ONE gateway with a small
 * step budget and short timeouts, must end with its exact expected outcome inside its time budget, and is followed by
 * a normal program in the same session, which must still work. A sample that freezes workerd (a guard regression)
 * fails after SAMPLE_DEADLINE_MS and fails every later sample at once, so the file ends quickly; dispose() then
 * kills the frozen runtime.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connect, type Gateway, type Session, startGateway } from "../../support/gateway";
import { startNodeUpstream, type Upstream } from "../../support/upstreams";
import { BRIDGE_FLOOD_LIMITS, bridgeFloodSamples } from "./corpus-bridge-floods";
import { capabilitySamples } from "./corpus-capability";
import { codegenSamples } from "./corpus-codegen";
import { cpuSamples } from "./corpus-cpu";
import { deepSamples } from "./corpus-deep";
import { egressSamples } from "./corpus-egress";
import { FLOOD_LIMITS, floodSamples } from "./corpus-floods";
import { lateSamples } from "./corpus-late";
import { nameSamples } from "./corpus-names";
import { policyNameSamples } from "./corpus-policy-names";
import { prepareSamples } from "./corpus-prepare";
import { recursionSamples } from "./corpus-recursion";
import { regexSamples } from "./corpus-regex";
import { sharedGraphSamples } from "./corpus-shared-graphs";
import { smugglingSamples } from "./corpus-smuggling";
import { assertResponsive, NotificationMeter, probe, probeWhile } from "./responsiveness";
import { typeSamples } from "./corpus-types";
import type { Execution, HostileClass, Sample, SampleContext } from "./sample";

export const CORPUS: Sample[] = [
  ...cpuSamples,
  ...recursionSamples,
  ...capabilitySamples,
  ...smugglingSamples,
  ...egressSamples,
  ...codegenSamples,
  ...floodSamples,
  ...deepSamples,
  ...lateSamples,
  ...nameSamples,
  ...policyNameSamples,
  ...bridgeFloodSamples,
  ...typeSamples,
  ...sharedGraphSamples,
  ...regexSamples,
  ...prepareSamples,
];

const LIMITS = {
  max_steps: 2_000_000,
  execution_timeout_ms: 5_000,
  tool_call_timeout_ms: 2_000,
  max_tool_calls: 20,
  ...FLOOD_LIMITS,
  ...BRIDGE_FLOOD_LIMITS,
};
/** Live notifications one sample may cause: twice the budget (a notification's text plus its envelope) and slack. */
const MAX_SAMPLE_NOTIFICATION_BYTES = 2 * BRIDGE_FLOOD_LIMITS.max_notification_bytes + 16 * 1024;
/** Slack over a sample's own timeout for the MCP round trip and isolate start on a busy machine. */
const SLACK_MS = 3_000;
/** Past this, the gateway is taken to be frozen (the watchdog for a step-guard regression). */
const SAMPLE_DEADLINE_MS = 20_000;
/** A normal program: it also proves the next execution gets a fresh isolate (no polluted Object.prototype). */
const NORMAL =
  "return Object.keys(Object.prototype).length + [1, 2, 3].map((x) => x * 2).reduce((a, b) => a + b) + 30;";

let upstream: Upstream;
let gateway: Gateway;
let session: Session;
/** A second session the attacks never use: it must keep answering (responsiveness.ts). */
let other: Session;
let meter: NotificationMeter;
let counter: Client;
let context: SampleContext;
let frozenAt: string | undefined;

before(async () => {
  upstream = await startNodeUpstream(new URL("../../support/slow-upstream.mjs", import.meta.url).pathname, []);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "slow", url: upstream.url, concurrency: 4 },
      ],
      limits: LIMITS,
      // Every sample passes through the type checker, but only warns: most samples target the host's own checks.
      typecheck: "warn",
    },
  });
  session = await connect(gateway.mcpUrl);
  other = await connect(gateway.mcpUrl);
  meter = new NotificationMeter(session.client);
  counter = new Client({ name: "hostile-counter", version: "0.0.0" });
  await counter.connect(new StreamableHTTPClientTransport(new URL(upstream.url)));
  context = { upstreamUrl: upstream.url, gatewayUrl: gateway.url.href };
});

after(async () => {
  await counter?.close().catch(() => {});
  await session?.close().catch(() => {});
  await other?.close().catch(() => {});
  await gateway?.dispose();
  await upstream?.stop();
});

/** tools/call requests the test upstream has received so far. */
async function upstreamTotal(): Promise<number> {
  const r = await counter.callTool({ name: "count", arguments: {} });
  return JSON.parse((r.content as Array<{ text: string }>)[0]!.text).total;
}

/** Runs code in the shared session, failing (and marking the gateway frozen) past SAMPLE_DEADLINE_MS. */
async function runGuarded(label: string, code: string, args: Record<string, unknown> = {}): Promise<Execution> {
  if (frozenAt) assert.fail(`the gateway froze during "${frozenAt}"; not running "${label}"`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      frozenAt = label;
      reject(new Error(`"${label}" did not end within ${SAMPLE_DEADLINE_MS} ms: the sandbox escaped its guards`));
    }, SAMPLE_DEADLINE_MS);
  });
  try {
    return await Promise.race([meter.run(session, code, args), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test("the corpus has at least 100 samples covering all ten classes, with unique names", () => {
  const classes: HostileClass[] = [
    "cpu",
    "recursion",
    "capability",
    "smuggling",
    "egress",
    "codegen",
    "flood",
    "deep",
    "late",
    "names",
  ];
  assert.ok(CORPUS.length >= 100, `${CORPUS.length} samples`);
  for (const c of classes) assert.ok(CORPUS.filter((s) => s.class === c).length >= 5, `class ${c}`);
  assert.equal(new Set(CORPUS.map((s) => s.name)).size, CORPUS.length);
});

describe("hostile corpus", () => {
  for (const sample of CORPUS) {
    test(`${sample.class}: ${sample.name}`, async () => {
      const code = typeof sample.code === "function" ? sample.code(context) : sample.code;
      const before = sample.upstreamCalls === undefined ? 0 : await upstreamTotal();
      const started = Date.now();
      const bytesBefore = meter.bytes;
      const running = runGuarded(sample.name, code, sample.args);
      // Floods are probed while they run: other sessions must not wait for them.
      const during = sample.class === "flood" ? probeWhile(running, gateway.url, other) : undefined;
      during?.catch(() => {});
      const r = await running;
      const elapsed = Date.now() - started;
      if (during) assertResponsive(await during, `while "${sample.name}" ran`);
      const bytes = meter.bytes - bytesBefore;
      assert.ok(bytes <= MAX_SAMPLE_NOTIFICATION_BYTES, `${bytes} bytes of notifications`);

      sample.expect(r);
      assert.deepEqual(
        r.tool_calls.map((c) => `${c.server}.${c.tool}:${c.status}`),
        sample.calls ?? [],
        "tool_calls",
      );
      const budget = Number(sample.args?.timeout_ms ?? LIMITS.execution_timeout_ms) + SLACK_MS;
      assert.ok(elapsed <= budget, `took ${elapsed} ms; its budget is ${budget} ms`);
      if (sample.upstreamCalls !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, sample.settleMs ?? 0));
        assert.equal(
          (await upstreamTotal()) - before,
          sample.upstreamCalls,
          "tools/call requests the upstream received",
        );
      }

      // The other session is probed while this one runs its normal program: both must answer.
      const [normal, latency] = await Promise.all([
        runGuarded(`the normal program after "${sample.name}"`, NORMAL),
        probe(gateway.url, other),
      ]);
      assert.equal(normal.ok, true, normal.text);
      assert.equal(normal.result, 42);
      assertResponsive(latency, `after "${sample.name}"`);
    });
  }
});
