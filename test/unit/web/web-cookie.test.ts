/** The web session cookie's name, flags and parsing, and where sign-in may send the browser back to. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSessionCookie, safeNext, sessionCookie } from "../../../src/web/web-auth";

const SECRET = "A".repeat(43);

test("on https the cookie is __Host-cg_session with Secure, HttpOnly, SameSite=Strict and Path=/", () => {
  assert.equal(
    sessionCookie("https://gateway.example.com/signin", `alice.${SECRET}`, 600),
    `__Host-cg_session=alice.${SECRET}; Path=/; Max-Age=600; HttpOnly; SameSite=Strict; Secure`,
  );
});

test("on plain http the cookie is cg_session without Secure", () => {
  assert.equal(
    sessionCookie("http://127.0.0.1:8787/signin", `alice.${SECRET}`, 600),
    `cg_session=alice.${SECRET}; Path=/; Max-Age=600; HttpOnly; SameSite=Strict`,
  );
});

test("a cookie value splits at its last dot, so user ids with dots and @ survive", () => {
  assert.deepEqual(parseSessionCookie(`${encodeURIComponent("a.b@c.d")}.${SECRET}`), {
    user: "a.b@c.d",
    secret: SECRET,
  });
});

test("cookie values with a malformed user or secret are not sessions", () => {
  assert.equal(parseSessionCookie(`al:ice.${SECRET}`), undefined);
  assert.equal(parseSessionCookie("alice.short"), undefined);
  assert.equal(parseSessionCookie(SECRET), undefined);
  assert.equal(parseSessionCookie(`%E0%A4%A.${SECRET}`), undefined);
});

test("sign-in returns only to paths of this site", () => {
  assert.equal(safeNext("/connections?x=1"), "/connections?x=1");
  assert.equal(safeNext("//evil.example/"), "/connections");
  assert.equal(safeNext("/\\evil.example"), "/connections");
  assert.equal(safeNext("https://evil.example/"), "/connections");
  assert.equal(safeNext("/..//evil.example"), "/connections");
  assert.equal(safeNext("/%2e%2e//evil.example/x"), "/connections");
  assert.equal(safeNext("/a/../b"), "/b");
  assert.equal(safeNext(undefined), "/connections");
});
