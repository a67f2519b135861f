/**
 * What a user server's 401 or 403 challenge names for the sign-in it leads to (src/registry/bearer-challenge.ts):
 * its scope as RFC 6749 scope tokens only, each once, at most 100, its resource_metadata URL, both bounded however
 * long or hostile the header.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bearerChallenge, MAX_CHALLENGE_CHARS, MAX_METADATA_URL_CHARS } from "../../../src/registry/bearer-challenge";
import { MAX_SCOPES_ASKED } from "../../../src/user/oauth/sign-in-scope";

const answer = (www: string) => new Response(null, { status: 401, headers: { "www-authenticate": www } });

test("a bearer challenge's scope and resource_metadata", () => {
  assert.deepEqual(
    bearerChallenge(
      answer('Bearer error="invalid_token", scope="mcp write", resource_metadata="https://a.example/.well-known/x"'),
    ),
    { scope: "mcp write", resourceMetadataUrl: "https://a.example/.well-known/x" },
  );
  assert.deepEqual(bearerChallenge(new Response(null, { status: 401 })), {});
  assert.deepEqual(bearerChallenge(answer('Basic realm="x", scope="mcp"')), {}, "not a bearer challenge");
});

test("only scope tokens are kept, each once, at most MAX_SCOPES_ASKED; the header is read to MAX_CHALLENGE_CHARS", () => {
  assert.equal(bearerChallenge(answer('Bearer scope="mcp mcp a\u0007b write"')).scope, "mcp write");
  const many = Array.from({ length: 500 }, (_, i) => `s${i}`).join(" ");
  const scope = bearerChallenge(answer(`Bearer scope="${many}"`)).scope ?? "";
  assert.equal(scope.split(" ").length, MAX_SCOPES_ASKED);
  const late = `Bearer error="invalid_token", x="${"y".repeat(MAX_CHALLENGE_CHARS)}", scope="admin"`;
  assert.deepEqual(bearerChallenge(answer(late)), {}, "a scope past the characters read is not seen");
});

test("a resource_metadata URL longer than MAX_METADATA_URL_CHARS, or not a URL, is dropped", () => {
  const long = `https://a.example/${"p".repeat(MAX_METADATA_URL_CHARS)}`;
  assert.deepEqual(bearerChallenge(answer(`Bearer scope="mcp", resource_metadata="${long}"`)), { scope: "mcp" });
  assert.deepEqual(bearerChallenge(answer('Bearer resource_metadata="not a url"')), {});
});
