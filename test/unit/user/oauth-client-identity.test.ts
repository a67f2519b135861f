import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  clientMetadataDocument,
  clientMetadataUrl,
  MissingClientSecretError,
  preRegisteredClient,
} from "../../../src/user/oauth/client-identity";
import { cleanDetail } from "../../../src/user/oauth/oauth-errors";

describe("the gateway's OAuth client identity", () => {
  test("an https gateway serves a Client ID Metadata Document naming its own URL and callback", () => {
    assert.deepEqual(clientMetadataDocument("https://gw.example.com"), {
      client_id: "https://gw.example.com/connections/client-metadata.json",
      client_name: "codemode-gateway",
      client_uri: "https://gw.example.com",
      redirect_uris: ["https://gw.example.com/connections/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    });
  });

  test("an http gateway has no metadata document URL (it registers dynamically)", () => {
    assert.equal(clientMetadataUrl("http://127.0.0.1:8787"), undefined);
    assert.equal(clientMetadataDocument("http://127.0.0.1:8787"), undefined);
  });

  test("a pre-registered client matches its issuer (one trailing slash apart) and reads its secret from the env", () => {
    const clients = [{ issuer: "https://auth.example.com", client_id: "gw", client_secret_env: "GW_SECRET" }];
    assert.deepEqual(
      preRegisteredClient(clients, { GW_SECRET: "s3cret" }, "https://auth.example.com/", "https://x/mcp"),
      {
        client_id: "gw",
        client_secret: "s3cret",
        issuer: "https://auth.example.com/",
      },
    );
    assert.equal(
      preRegisteredClient(clients, { GW_SECRET: "s3cret" }, "https://other.example.com/", "https://x/mcp"),
      undefined,
    );
  });

  test("a pre-registered client for a server URL applies to that server only", () => {
    const clients = [{ server_url: "https://mcp.example.com/mcp", client_id: "gw" }];
    assert.equal(
      preRegisteredClient(clients, {}, "https://as.example.com/", "https://mcp.example.com/mcp")?.client_id,
      "gw",
    );
    assert.equal(
      preRegisteredClient(clients, {}, "https://as.example.com/", "https://mcp.example.com/other"),
      undefined,
    );
  });

  test("a pre-registered client whose secret is not set is an error naming the secret and how to set it", () => {
    const clients = [{ issuer: "https://auth.example.com/", client_id: "gw", client_secret_env: "GW_SECRET" }];
    assert.throws(
      () => preRegisteredClient(clients, {}, "https://auth.example.com/", "https://x/mcp"),
      (err: Error) =>
        err instanceof MissingClientSecretError && /GW_SECRET.*wrangler secret put GW_SECRET/.test(err.message),
    );
  });

  test("an error detail from an authorization server is capped, stripped of control characters and of secrets", () => {
    const detail = cleanDetail(`invalid_grant: bad token rt_abcdefgh12345\u001b[31m${"x".repeat(500)}`, [
      "rt_abcdefgh12345",
    ]);
    assert.ok(!detail.includes("rt_abcdefgh12345"));
    assert.ok(!detail.includes("\u001b"));
    assert.ok(detail.length <= 300);
  });
});
