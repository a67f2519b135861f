/**
 * What hostile.test.ts checks besides each sample's own outcome (issue 12): the gateway keeps answering everyone else
 * while an attack runs and after it (GET /health and a trivial execution in ANOTHER session, each within
 * RESPONSIVE_MS), and the live notifications an attack makes stay bounded. Locally every isolate shares one thread,
 * so a sandbox that starves the event loop shows up here as a slow probe.
 */
import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { run, type Session } from "../../support/gateway";
import type { Execution } from "./sample";

/** How long /health and another session's trivial execution may take, during and after an attack. */
export const RESPONSIVE_MS = 2_000;
/** A probe that has not answered after this is reported as frozen rather than awaited for ever. */
const PROBE_GIVE_UP_MS = 15_000;

export interface Latency {
  health: number;
  execution: number;
}

/** Counts the bytes of every notification a client receives (progress and log messages). */
export class NotificationMeter {
  bytes = 0;

  constructor(client: Client) {
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      this.bytes += JSON.stringify(n).length;
    });
  }

  /** Runs code like `run()` (test/support/gateway.ts), with a progress token so progress notifications flow too. */
  async run(session: Session, code: string, args: Record<string, unknown> = {}): Promise<Execution> {
    const r = await session.client.callTool({ name: "execute_code", arguments: { code, ...args } }, undefined, {
      onprogress: (p) => {
        this.bytes += JSON.stringify(p).length;
      },
    });
    return {
      ...(r.structuredContent as any),
      isError: r.isError === true,
      text: (r.content as Array<{ text?: string }>)[0]?.text ?? "",
    };
  }
}

async function timed(what: string, work: () => Promise<void>): Promise<number> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${PROBE_GIVE_UP_MS} ms`)),
      PROBE_GIVE_UP_MS,
    );
  });
  try {
    await Promise.race([work(), giveUp]);
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - started;
}

/** One probe: GET /health, then a trivial execution in `other` (a session the attack does not use). */
export async function probe(gatewayUrl: URL, other: Session): Promise<Latency> {
  const health = await timed("GET /health", async () => {
    const res = await fetch(new URL("/health", gatewayUrl));
    assert.equal(res.status, 200, "GET /health");
    await res.body?.cancel();
  });
  const execution = await timed("another session's execution", async () => {
    const r = await run(other, "return 1 + 1;");
    assert.equal(r.result, 2, r.text);
  });
  return { health, execution };
}

/** Probes every 100 ms until `running` settles; resolves with the worst latencies seen. */
export async function probeWhile(running: Promise<unknown>, gatewayUrl: URL, other: Session): Promise<Latency> {
  let settled = false;
  void running.then(
    () => (settled = true),
    () => (settled = true),
  );
  const worst: Latency = { health: 0, execution: 0 };
  while (!settled) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const p = await probe(gatewayUrl, other);
    worst.health = Math.max(worst.health, p.health);
    worst.execution = Math.max(worst.execution, p.execution);
  }
  return worst;
}

/** Fails unless both probes answered within RESPONSIVE_MS. */
export function assertResponsive(latency: Latency, when: string): void {
  assert.ok(latency.health <= RESPONSIVE_MS, `GET /health took ${latency.health} ms ${when}`);
  assert.ok(
    latency.execution <= RESPONSIVE_MS,
    `a trivial execution in another session took ${latency.execution} ms ${when}`,
  );
}
