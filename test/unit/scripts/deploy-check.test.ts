import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDeployConfig } from "../../../scripts/deploy-check";

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
