/**
 * The first-listing patience (src/registry/listing-patience.ts): a listing that ends in time is returned, a late one
 * is replaced by the reader's stand-in while it goes on, and a failed listing shortens the next sessions' wait.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FIRST_LISTING_PATIENCE_MS,
  failureKey,
  firstLine,
  forgetFailure,
  lateListing,
  patienceFor,
  patiently,
  rememberedFailures,
  rememberFailure,
} from "../../../src/registry/listing-patience";

test("a listing that ends within the patience is returned; a late one gives the stand-in, and its rejection is handled", async () => {
  assert.equal(await patiently(Promise.resolve("listed"), 50, () => "late"), "listed");
  let finish!: (v: string) => void;
  const slow = new Promise<string>((resolve) => {
    finish = resolve;
  });
  assert.equal(await patiently(slow, 10, () => "late"), "late");
  finish("listed");
  // A listing that fails after the reader went on is not an unhandled rejection.
  const failing = new Promise<string>((_, reject) => setTimeout(() => reject(new Error("down")), 30));
  assert.equal(await patiently(failing, 5, () => "late"), "late");
  await new Promise((resolve) => setTimeout(resolve, 50));
});

test("a failed listing shortens the wait of the isolate's next readers, per user and server, until one works", () => {
  const key = failureKey("alice", { name: "notes", url: "https://notes.example/mcp" });
  const bobs = failureKey("bob", { name: "notes", url: "https://notes.example/mcp" });
  assert.equal(patienceFor(key, FIRST_LISTING_PATIENCE_MS), FIRST_LISTING_PATIENCE_MS);
  assert.match(lateListing(key, 3_000).error, /^still connecting: its first listing has taken over 3 s/);
  assert.equal(lateListing(key, 3_000).failed, undefined);
  const failure = { at: Date.now() - 2_000, message: "upstream notes sent no reply\nsecond line" };
  rememberFailure(key, failure);
  assert.equal(patienceFor(key, FIRST_LISTING_PATIENCE_MS), 500);
  // Failed a moment ago: said so, with the first line of why, not "still connecting" (asking again would not help).
  const late = lateListing(key, 500);
  assert.equal(
    late.error,
    "failed 2 s ago: upstream notes sent no reply; asking again will not help until that is fixed (it is listed again in the background)",
  );
  assert.deepEqual(late.failed, failure);
  // Another user's server of the same name and URL is not affected.
  assert.equal(patienceFor(bobs, FIRST_LISTING_PATIENCE_MS), FIRST_LISTING_PATIENCE_MS);
  forgetFailure(key);
  assert.equal(patienceFor(key, FIRST_LISTING_PATIENCE_MS), FIRST_LISTING_PATIENCE_MS);
  // Remembered for a minute only.
  rememberFailure(key, { at: Date.now() - 61_000, message: "old" });
  assert.equal(patienceFor(key, FIRST_LISTING_PATIENCE_MS), FIRST_LISTING_PATIENCE_MS);
});

test("a failure's first line is what a one-line list shows, capped", () => {
  assert.equal(firstLine("one\ntwo"), "one");
  assert.equal(firstLine("x".repeat(300), 10), `${"x".repeat(9)}…`);
});

test("names from outside are only parts of a JSON key: a server named like a prototype member is kept apart", () => {
  const proto = failureKey("u", { name: "__proto__", url: "x" });
  rememberFailure(proto, { at: Date.now(), message: "m" });
  assert.equal(patienceFor(proto, 3_000), 500);
  assert.equal(patienceFor(failureKey("u", { name: "constructor", url: "x" }), 3_000), 3_000);
  forgetFailure(proto);
});

test("the isolate's memory of failed listings stays small: URLs are hashed, old failures are dropped as new ones come", () => {
  const long = `https://mcp.example.com/${"%E0%A0%80".repeat(220)}`;
  const key = failureKey("alice", { name: "notes", url: long });
  assert.ok(key.length < 64, `key of a ${long.length}-character URL: ${key.length} characters`);
  assert.notEqual(key, failureKey("alice", { name: "notes", url: `${long}x` }), "another URL is another key");
  assert.notEqual(key, failureKey("bob", { name: "notes", url: long }), "another user is another key");
  const before = rememberedFailures();
  for (let i = 0; i < 50; i++) {
    rememberFailure(failureKey("carol", { name: `s${i}`, url: long }), { at: Date.now() - 120_000, message: "old" });
  }
  assert.equal(rememberedFailures(), before + 1, "each failure past the minute is dropped when the next one comes");
  const fresh = failureKey("carol", { name: "fresh", url: long });
  rememberFailure(fresh, { at: Date.now(), message: "down" });
  assert.equal(rememberedFailures(), before + 1, "the last old one went too; the new one stays");
  assert.equal(patienceFor(fresh, FIRST_LISTING_PATIENCE_MS), 500);
  forgetFailure(fresh);
});
