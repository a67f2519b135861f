import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthorizationRequiredError } from "../../../src/registry/authorization-required";
import {
  MAX_SCOPE_TOKEN_CHARS,
  MAX_SCOPES_NAMED,
  missingScope,
  scopePhrase,
  signInNeeded,
} from "../../../src/registry/step-up-scope";

describe("missingScope", () => {
  it("names the challenged scopes the grant lacks", () => {
    assert.equal(missingScope("mcp admin", "mcp"), "admin");
    assert.equal(missingScope("mcp  admin write", "write mcp"), "admin");
  });

  it("names every challenged scope when the grant already has them (the upstream still refused)", () => {
    assert.equal(missingScope("mcp admin", "mcp admin"), "mcp admin");
  });

  it("is undefined for a challenge without a valid scope", () => {
    assert.equal(missingScope(undefined, "mcp"), undefined);
    assert.equal(missingScope("", "mcp"), undefined);
    assert.equal(missingScope('"quoted" back\\slash é', null), undefined);
  });

  it("keeps only RFC 6749 scope tokens: no quotes, backslashes, control or non-ASCII characters", () => {
    assert.equal(missingScope('admin "injected\x07 \u202Eevil read:all', "mcp"), "admin read:all");
  });

  it("caps how many scopes it names and how long each is", () => {
    const many = Array.from({ length: 30 }, (_, i) => `s${i}`).join(" ");
    const named = missingScope(many, "")!;
    assert.equal(named.split(" ").length, MAX_SCOPES_NAMED + 1);
    assert.match(named, / …\+22$/);
    const long = missingScope("x".repeat(10_000), "")!;
    assert.equal(long.length, MAX_SCOPE_TOKEN_CHARS);
    assert.ok(long.endsWith("…"));
  });

  it("reads a bounded prefix of a huge challenge", () => {
    const huge = `${"a ".repeat(1_000_000)}admin`;
    assert.equal(missingScope(huge, "a"), "a", "admin, past the prefix, is not read");
  });
});

describe("scopePhrase", () => {
  it("names one scope, several, and a count of the rest", () => {
    assert.equal(scopePhrase("admin"), 'scope "admin"');
    assert.equal(scopePhrase("admin write"), 'scopes "admin" "write"');
    const many = missingScope(Array.from({ length: 10 }, (_, i) => `s${i}`).join(" "), "")!;
    assert.equal(
      scopePhrase(many),
      `scopes ${["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"].map((s) => `"${s}"`).join(" ")} and 2 more`,
    );
  });

  it("stays bounded and quote-safe for any string", () => {
    const phrase = scopePhrase(`${'a"b\\c '.repeat(1_000)}${"z".repeat(100_000)}`);
    assert.ok(phrase.length < (MAX_SCOPE_TOKEN_CHARS + 3) * (MAX_SCOPES_NAMED + 1) + 40, phrase);
    assert.doesNotMatch(phrase, /\\/);
    assert.match(phrase, /^scopes( "[^"\s]+")+$/);
  });
});

describe("the messages of a step-up", () => {
  it("AuthorizationRequiredError names the scope the server asked for", () => {
    const e = new AuthorizationRequiredError(
      "demo",
      "authorization_required",
      "https://gw/connections/authorize?flow=x",
      undefined,
      "admin",
    );
    assert.equal(
      e.message,
      'demo needs more permission (scope "admin"): the user must sign in again at https://gw/connections/authorize?flow=x',
    );
    assert.equal(e.scope, "admin");
  });

  it("a plain sign-in and an expired one say, to the model, what the user must do", () => {
    assert.equal(
      new AuthorizationRequiredError("demo", "authorization_required").message,
      "demo needs the user to sign in (authorize_server gives the link)",
    );
    assert.equal(
      new AuthorizationRequiredError("demo", "expired", "https://gw/a").message,
      "the authorization of demo has expired: the user must sign in again at https://gw/a",
    );
    assert.equal(signInNeeded("demo", "https://gw/a", undefined), "demo needs the user to sign in at https://gw/a");
  });

  it("execute_code's message names the scopes", () => {
    assert.equal(
      signInNeeded("demo", "https://gw/a", "admin write"),
      'demo needs the user to sign in again to grant more permission (scopes "admin" "write") at https://gw/a',
    );
  });
});
