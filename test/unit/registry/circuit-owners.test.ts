/**
 * The isolate's circuit breakers are shared by every user of the isolate and bounded: one user whose servers come and
 * go (each name and URL a new circuit) must not push out, and so reset, another user's circuits.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayConfig, ServerConfig } from "../../../src/config";
import { CircuitBreaker } from "../../../src/registry/circuit-breaker";
import { circuitFor } from "../../../src/registry/connect";
import { OwnedTable } from "../../../src/registry/owned-table";

const limits = { circuit_breaker_failures: 2, circuit_breaker_cooldown_ms: 60_000 } as GatewayConfig["limits"];
const server = (name: string, url = `https://${name}.example/mcp`) => ({ name, url }) as ServerConfig;

describe("the isolate's circuits", () => {
  it("one user's 12,000 servers never reset another user's open circuit", () => {
    const victim = circuitFor("victim", server("github"), limits);
    victim.failure(new TypeError("fetch failed"));
    victim.failure(new TypeError("fetch failed"));
    assert.equal(victim.state(), "open");
    // Each a server the attacker added and removed again: a new name and URL, so a new circuit.
    for (let i = 0; i < 12_000; i++) circuitFor("attacker", server(`s${i}`), limits);
    const again = circuitFor("victim", server("github"), limits);
    assert.equal(again, victim, "the victim's circuit was forgotten");
    assert.equal(again.state(), "open");
  });
});

describe("OwnedTable", () => {
  const table = (maxEntries: number, maxPerOwner: number) =>
    new OwnedTable<{ id: string; idle: boolean }>({ maxEntries, maxPerOwner, idle: (v) => v.idle });
  const value =
    (id: string, idle = false) =>
    () => ({ id, idle });

  it("an owner at its bound forgets its own least recently used value", () => {
    const t = table(100, 3);
    for (const k of ["a", "b", "c"]) t.get("u", k, value(k));
    t.get("u", "a", value("a2")); // used again: b is now the least recent
    t.get("u", "d", value("d"));
    assert.equal(t.count("u"), 3);
    assert.equal(t.get("u", "a", value("new")).id, "a");
    assert.equal(t.get("u", "b", value("new")).id, "new", "b was forgotten");
  });

  it("an idle value goes before a busy one", () => {
    const t = table(100, 3);
    t.get("u", "busy", value("busy"));
    t.get("u", "idle", value("idle", true));
    t.get("u", "busy2", value("busy2"));
    t.get("u", "more", value("more"));
    assert.equal(t.get("u", "busy", value("new")).id, "busy");
    assert.equal(t.get("u", "idle", value("new")).id, "new");
  });

  it("a full table makes room at the owner holding the most, which is the one adding when it holds as many", () => {
    const t = table(6, 4);
    for (const k of ["a", "b"]) t.get("small", k, value(k));
    for (const k of ["a", "b", "c", "d"]) t.get("big", k, value(k));
    assert.equal(t.size, 6);
    t.get("small", "c", value("c")); // small (2) < big (4): big gives one up
    assert.deepEqual([t.count("small"), t.count("big"), t.size], [3, 3, 6]);
    t.get("big", "e", value("e")); // big (3) holds as many as small (3): its own goes
    assert.deepEqual([t.count("small"), t.count("big"), t.size], [3, 3, 6]);
    t.get("newcomer", "a", value("a"));
    assert.equal(t.size, 6);
    assert.equal(t.count("newcomer"), 1);
  });

  it("stays within its bounds whatever the owners do", () => {
    const t = table(50, 10);
    for (let i = 0; i < 2_000; i++) t.get(`u${i % 37}`, `k${(i * 7) % 101}`, value(String(i), i % 3 === 0));
    assert.ok(t.size <= 50);
    for (let u = 0; u < 37; u++) assert.ok(t.count(`u${u}`) <= 10);
  });

  it("an owner that gives up its only value to make room keeps the value it adds, and the size stays the count held", () => {
    // Full, every owner holding one: the one adding holds as many as any other, so it gives up its own only value.
    const t = table(3, 10);
    for (const owner of ["a", "b", "c"]) t.get(owner, "k1", value(`${owner}1`));
    const added = t.get("a", "k2", value("a2"));
    assert.equal(t.count("a"), 1, "the value added is held by its owner");
    assert.equal(t.get("a", "k2", value("new")), added, "the value added is found again");
    assert.equal(t.size, t.count("a") + t.count("b") + t.count("c"));
    // Were the size to count values no owner holds, every later addition would evict one more real value.
    for (let i = 0; i < 50; i++) t.get(`o${i}`, "k", value(`o${i}`));
    assert.equal(t.size, 3);
    let held = 0;
    for (let i = 0; i < 50; i++) held += t.count(`o${i}`);
    assert.equal(held + t.count("a") + t.count("b") + t.count("c"), 3);
  });

  it("a circuit is idle only while closed without failures", () => {
    const c = new CircuitBreaker("upstream x", { failureThreshold: 3, cooldownMs: 1_000 });
    assert.equal(c.idle(), true);
    c.failure(new TypeError("fetch failed"));
    assert.equal(c.idle(), false);
    c.success();
    assert.equal(c.idle(), true);
  });
});
