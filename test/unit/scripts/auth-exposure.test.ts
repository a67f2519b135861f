import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDeployConfig, checkDevListen } from "../../../scripts/auth-exposure";

const WORKSPACE = [{ name: "workspace", url: "builtin:workspace" }];

test("deploying without authentication warns that every MCP request will get 403", () => {
  const check = checkDeployConfig({ servers: WORKSPACE });
  assert.equal(check.error, undefined);
  assert.equal(check.warnings.length, 1);
  assert.match(check.warnings[0]!, /no authentication \(auth\.mode = "none"\).*every MCP request with 403/);
});

test("deploying with allow_unauthenticated warns that the public gets code execution without authentication", () => {
  const check = checkDeployConfig({ servers: WORKSPACE, auth: { mode: "none", allow_unauthenticated: true } });
  assert.match(check.warnings.join("\n"), /serves the public WITHOUT AUTHENTICATION/);
});

test("deploying with API keys or OAuth says nothing", () => {
  assert.deepEqual(checkDeployConfig({ servers: WORKSPACE, auth: { mode: "api_keys" } }), { warnings: [] });
  assert.deepEqual(checkDeployConfig({ servers: WORKSPACE, auth: { mode: "oauth" } }), { warnings: [] });
});

test("a configuration the gateway cannot load stops the deploy with the field at fault", () => {
  const check = checkDeployConfig({ servers: WORKSPACE, auth: { mode: "api_key" } });
  assert.match(check.error ?? "", /GATEWAY_CONFIG cannot be loaded.*auth\.mode/s);
});

test("listening on loopback is fine whatever the authentication", () => {
  for (const ip of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"]) {
    assert.deepEqual(checkDevListen(ip, { servers: WORKSPACE }), { warnings: [] }, ip);
  }
});

test("listening on every interface without authentication is refused with what to configure", () => {
  for (const ip of ["0.0.0.0", "::", "192.168.1.20"]) {
    const check = checkDevListen(ip, { servers: WORKSPACE });
    assert.match(
      check.error ?? "",
      new RegExp(`refusing to listen on ${ip.replaceAll(".", "\\.")}: authentication is off`),
    );
    assert.match(check.error ?? "", /allow_unauthenticated = true/);
  }
});

test("listening on every interface with authentication on is fine", () => {
  assert.deepEqual(checkDevListen("0.0.0.0", { servers: WORKSPACE, auth: { mode: "api_keys" } }), { warnings: [] });
});

test("listening on every interface with allow_unauthenticated warns", () => {
  const check = checkDevListen("0.0.0.0", { servers: WORKSPACE, auth: { mode: "none", allow_unauthenticated: true } });
  assert.equal(check.error, undefined);
  assert.match(check.warnings.join("\n"), /listening on 0\.0\.0\.0 WITHOUT AUTHENTICATION/);
});
