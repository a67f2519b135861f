import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GatewayConfigSchema } from "../../../src/config";
import { checkUserHeaders, resolveUserHeaders } from "../../../src/user/header-templates";
import { MAX_USER_URL_CHARS, userNameRefusal, userUrlRefusal } from "../../../src/user/user-servers";

const ref = (name: string) => ["$", `{secret:${name}}`].join("");
const env = (name: string) => ["$", `{${name}}`].join("");
const config = (extra: Record<string, unknown> = {}) =>
  GatewayConfigSchema.parse({
    servers: [
      { name: "workspace", url: "builtin:workspace" },
      { name: "gw-tools", url: "https://tools.example.com/mcp" },
    ],
    ...extra,
  });

describe("user server headers", () => {
  test("secret references are collected; names stay data (__proto__, constructor)", () => {
    const r = checkUserHeaders([
      ["Authorization", `Bearer ${ref("TOKEN")}`],
      ["__proto__", ref("constructor")],
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.secrets.sort(), ["TOKEN", "constructor"]);
    assert.deepEqual(r.headers[1], ["__proto__", ref("constructor")]);
  });

  test("an env reference is refused with the secret spelling to use instead", () => {
    const r = checkUserHeaders([["X-Key", env("GITHUB_TOKEN")]]);
    assert.ok(!r.ok);
    assert.match(r.error, /gateway's own environment.*\$\{secret:GITHUB_TOKEN\}/);
  });

  test("transport headers, duplicates, line breaks and bad names are refused", () => {
    for (const headers of [
      [["Mcp-Session-Id", "x"]],
      [["Host", "x"]],
      [
        ["X-A", "1"],
        ["x-a", "2"],
      ],
      [["X-A", "a\r\nInjected: 1"]],
      [["Bad Name", "x"]],
      [["X-A", ref("not-an-identifier")]],
    ] as Array<Array<[string, string]>>) {
      assert.equal(checkUserHeaders(headers).ok, false, JSON.stringify(headers));
    }
  });

  test("resolution substitutes secrets and names the missing ones, never their values", () => {
    const ok = resolveUserHeaders([["A", `Bearer ${ref("T")}`]], new Map([["T", "v4lue"]]));
    assert.deepEqual(ok, { ok: true, headers: [["A", "Bearer v4lue"]] });
    const missing = resolveUserHeaders(
      [
        ["A", ref("T")],
        ["B", ref("U")],
      ],
      new Map([["T", "v"]]),
    );
    assert.deepEqual(missing, { ok: false, missing: ["U"] });
  });
});

describe("user server names and URLs", () => {
  test("gateway names (any case) and module identifiers are taken; the user's own names too", () => {
    assert.match(userNameRefusal("WORKSPACE", config(), [])!, /server of the gateway/);
    assert.match(userNameRefusal("gw_tools", config(), [])!, /servers\/gw_tools, which is the gateway server gw-tools/);
    assert.match(userNameRefusal("a-b", config(), ["a_b"])!, /like the server a_b/);
    assert.equal(userNameRefusal("constructor", config(), []), undefined);
    assert.match(userNameRefusal("__proto__", config(), [])!, /starting with a letter or digit/);
  });

  test("URLs pass the network guard and allow_hosts; credentials in URLs are refused", () => {
    assert.equal(userUrlRefusal("https://mcp.example.com/mcp", config()), undefined);
    assert.match(userUrlRefusal("http://127.0.0.1/mcp", config())!, /refused to connect/);
    assert.match(userUrlRefusal("https://[::ffff:169.254.169.254]/", config())!, /refused/);
    assert.match(userUrlRefusal("https://u:p@mcp.example.com/", config())!, /carries credentials/);
    const limited = config({ user_servers: { allow_hosts: ["mcp.example.com"] } });
    assert.equal(userUrlRefusal("https://MCP.example.com./mcp", limited), undefined);
    assert.match(userUrlRefusal("https://evil.example.com/mcp", limited)!, /not in user_servers.allow_hosts/);
  });

  test("the length limit applies to the URL as stored and connected to, after percent-encoding", () => {
    // 700 characters of U+0800 are 2,034 as typed and 6,300 percent-encoded (%E0%A0%80 each).
    const typed = `https://mcp.example.com/${"\u0800".repeat(700)}`;
    assert.ok(typed.length <= MAX_USER_URL_CHARS);
    assert.match(
      userUrlRefusal(typed, config())!,
      /^the URL is longer than 2048 characters once percent-encoded \(6324\)$/,
    );
    const fits = `https://mcp.example.com/${"\u0800".repeat(200)}`;
    assert.equal(userUrlRefusal(fits, config()), undefined);
  });
});
