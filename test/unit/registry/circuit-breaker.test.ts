import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtocolError, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { CircuitBreaker, CircuitOpenError, isUpstreamFault } from "../../../src/registry/circuit-breaker";

function breaker(threshold = 3, cooldownMs = 10_000) {
  const clock = { now: 1_000_000 };
  const circuit = new CircuitBreaker("upstream flaky", {
    failureThreshold: threshold,
    cooldownMs,
    now: () => clock.now,
  });
  return { circuit, clock };
}

const boom = () => Promise.reject(new TypeError("fetch failed"));
const fine = () => Promise.resolve("ok");

async function fail(circuit: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) await assert.rejects(circuit.run(boom), TypeError);
}

/** A JSON-RPC error the server sent on purpose, as the SDK's McpError carries it. */
function serverError(code: number) {
  return Object.assign(new Error(`MCP error ${code}: nope`), { name: "McpError", code });
}

describe("CircuitBreaker", () => {
  it("stays closed below the threshold of consecutive failures", async () => {
    const { circuit } = breaker(3);
    await fail(circuit, 2);
    assert.equal(circuit.state(), "closed");
    assert.equal(await circuit.run(fine), "ok");
  });

  it("opens after N consecutive failures and then fails fast without calling the upstream", async () => {
    const { circuit } = breaker(3);
    await fail(circuit, 3);
    assert.equal(circuit.state(), "open");
    let called = false;
    await assert.rejects(
      circuit.run(async () => {
        called = true;
      }),
      (err: Error) => {
        assert.ok(err instanceof CircuitOpenError);
        assert.match(err.message, /^upstream flaky is cut off after 3 consecutive failures; retrying after 10 s/);
        assert.match(err.message, /last error: fetch failed/);
        return true;
      },
    );
    assert.equal(called, false);
  });

  it("counts only consecutive failures: a success in between resets the count", async () => {
    const { circuit } = breaker(3);
    await fail(circuit, 2);
    await circuit.run(fine);
    await fail(circuit, 2);
    assert.equal(circuit.state(), "closed");
    assert.equal(circuit.snapshot().consecutive_failures, 2);
  });

  it("lets exactly one trial call through after the cooldown (half-open)", async () => {
    const { circuit, clock } = breaker(2, 5_000);
    await fail(circuit, 2);
    clock.now += 4_999;
    assert.equal(circuit.state(), "open");
    clock.now += 1;
    assert.equal(circuit.state(), "half_open");
    let release!: () => void;
    const trial = circuit.run(() => new Promise<string>((r) => (release = () => r("recovered"))));
    await assert.rejects(circuit.run(fine), /a trial call is in progress/);
    release();
    assert.equal(await trial, "recovered");
    assert.equal(circuit.state(), "closed");
  });

  it("closes after a successful trial and forgets the last failure", async () => {
    const { circuit, clock } = breaker(1, 1_000);
    await fail(circuit, 1);
    clock.now += 1_000;
    await circuit.run(fine);
    assert.deepEqual(circuit.snapshot(), { state: "closed", consecutive_failures: 0, failure_threshold: 1 });
  });

  it("opens again for a full cooldown when the trial fails", async () => {
    const { circuit, clock } = breaker(1, 1_000);
    await fail(circuit, 1);
    clock.now += 1_000;
    await fail(circuit, 1);
    assert.equal(circuit.state(), "open");
    clock.now += 999;
    assert.equal(circuit.state(), "open");
    clock.now += 1;
    assert.equal(circuit.state(), "half_open");
  });

  it("treats a JSON-RPC error sent by the server as a healthy answer", async () => {
    const { circuit } = breaker(2);
    await fail(circuit, 1);
    await assert.rejects(circuit.run(() => Promise.reject(serverError(-32602))));
    assert.equal(circuit.snapshot().consecutive_failures, 0);
  });

  it("does not count failures of calls admitted before it opened", async () => {
    const { circuit } = breaker(1);
    let rejectLate!: (err: Error) => void;
    const late = circuit.run(() => new Promise((_, reject) => (rejectLate = reject)));
    await fail(circuit, 1);
    rejectLate(new Error("Connection closed"));
    await assert.rejects(late);
    assert.equal(circuit.snapshot().consecutive_failures, 1);
    assert.equal(circuit.snapshot().last_failure?.message, "fetch failed");
  });

  it("shows state, failures, last failure and next try in its snapshot", async () => {
    const { circuit } = breaker(2, 30_000);
    await fail(circuit, 2);
    const snap = circuit.snapshot();
    assert.equal(snap.state, "open");
    assert.equal(snap.consecutive_failures, 2);
    assert.equal(snap.last_failure?.message, "fetch failed");
    assert.equal(snap.retry_at, new Date(1_000_000 + 30_000).toISOString());
  });
});

describe("isUpstreamFault", () => {
  it("counts network errors, HTTP errors, bad JSON and client-side timeouts as faults", () => {
    assert.equal(isUpstreamFault(new TypeError("fetch failed")), true);
    assert.equal(isUpstreamFault(Object.assign(new Error("Streamable HTTP error"), { code: 500 })), true);
    assert.equal(isUpstreamFault(new SyntaxError("Unexpected end of JSON input")), true);
    assert.equal(isUpstreamFault(serverError(-32001)), true);
    assert.equal(isUpstreamFault(serverError(-32000)), true);
  });

  it("does not count JSON-RPC errors from the server, open circuits or refused URLs", () => {
    assert.equal(isUpstreamFault(serverError(-32602)), false);
    assert.equal(isUpstreamFault(serverError(-32603)), false);
    // The SDK v2 client the registry uses: a JSON-RPC error the server sent is a ProtocolError, the client's own
    // timeouts and closed connections are SdkErrors.
    assert.equal(isUpstreamFault(new ProtocolError(-32602, "invalid params")), false);
    assert.equal(isUpstreamFault(new ProtocolError(-32603, "internal error")), false);
    assert.equal(isUpstreamFault(new SdkError(SdkErrorCode.RequestTimeout, "timed out")), true);
    assert.equal(isUpstreamFault(new SdkError(SdkErrorCode.ConnectionClosed, "closed")), true);
    assert.equal(isUpstreamFault(new CircuitOpenError("cut off")), false);
    assert.equal(isUpstreamFault(Object.assign(new Error("refused"), { name: "UrlRefusedError" })), false);
  });
});
