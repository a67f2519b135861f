import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { originAllowed } from "../../../src/auth/origin";

describe("Origin validation", () => {
  test("a rebinding request (Host and Origin both the attacker's) is refused", () => {
    assert.equal(originAllowed("http://evil.example", "http://evil.example/mcp", []), false);
  });

  test("the own origin passes on loopback hosts only", () => {
    assert.equal(originAllowed("http://127.0.0.1:8787", "http://127.0.0.1:8787/mcp", []), true);
    assert.equal(originAllowed("http://localhost:8787", "http://localhost:8787/mcp", []), true);
    assert.equal(originAllowed("http://[::1]:8787", "http://[::1]:8787/mcp", []), true);
    assert.equal(originAllowed("https://gw.example.com", "https://gw.example.com/mcp", []), false);
  });

  test("another loopback port is not the own origin", () => {
    assert.equal(originAllowed("http://127.0.0.1:3000", "http://127.0.0.1:8787/mcp", []), false);
  });

  test("allowed_origins are allowed on any host", () => {
    assert.equal(originAllowed("https://app.example", "https://gw.example.com/mcp", ["https://app.example"]), true);
  });
});
