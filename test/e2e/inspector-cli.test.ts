/**
 * The MCP Inspector CLI as the README shows it: every invocation is a new process with a new MCP session, so an
 * execution, its history and its approval handle must outlive the session that made them (they belong to the
 * user: src/user/user-object.ts).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { type Gateway, startGateway } from "../support/gateway";

const execFileAsync = promisify(execFile);
const INSPECTOR = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/inspector/package.json")),
  "clients/launcher/build/index.js",
);

let gateway: Gateway;
let home: string;
before(async () => {
  gateway = await startGateway();
  home = mkdtempSync(join(tmpdir(), "cg-inspector-"));
});
after(async () => {
  await gateway?.dispose();
  rmSync(home, { recursive: true, force: true });
});

/** One `inspector --cli <url> --transport http --method tools/call ...` invocation; its JSON output. */
async function callTool(tool: string, args: Record<string, string> = {}, extra: string[] = []): Promise<any> {
  const toolArgs = Object.entries(args).flatMap(([k, v]) => ["--tool-arg", `${k}=${v}`]);
  // Asynchronous on purpose: wrangler's dev proxy runs in this process, so a blocked event loop would stall it.
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      INSPECTOR,
      "--cli",
      gateway.mcpUrl.href,
      "--transport",
      "http",
      "--method",
      "tools/call",
      "--tool-name",
      tool,
      ...toolArgs,
      ...extra,
    ],
    // The CLI keeps a server catalog in the home folder: a scratch one keeps the machine's untouched.
    { env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, "mcp.json") }, timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

test("with the Inspector CLI, a session per call, code runs, is listed and is approved in three invocations", async () => {
  const code = `import { write_file, delete_file, list_directory } from "servers/workspace";
await write_file({ path: "/inspected.txt", content: "x" });
await delete_file({ path: "/inspected.txt" });
return (await list_directory({ path: "/" })).entries.map((e) => e.name);`;
  const ran = await callTool("execute_code", { code });
  assert.equal(ran.structuredContent.status, "approval_required", JSON.stringify(ran));
  const { execution_id, approval } = ran.structuredContent;

  const listed = await callTool("list_executions");
  assert.equal(listed.structuredContent.executions[0].execution_id, execution_id, JSON.stringify(listed));

  const approved = await callTool("approve_call", { handle: approval.handle });
  assert.equal(approved.structuredContent.ok, true, JSON.stringify(approved));
  assert.deepEqual(approved.structuredContent.result, []);
  assert.equal(approved.structuredContent.tool_calls[1].approval.by, "user (approve_call)");
});

test("with the Inspector CLI speaking 2026-07-28, code runs in a context, is listed and is approved in three invocations", async () => {
  const modern = ["--protocol-era", "modern"];
  const code = `import { write_file, delete_file } from "servers/workspace";
await write_file({ path: "/modern.txt", content: "x" });
await delete_file({ path: "/modern.txt" });
return "gone";`;
  const ran = await callTool("execute_code", { code, context: "new" }, modern);
  assert.equal(ran.structuredContent.status, "approval_required", JSON.stringify(ran));
  const { execution_id, approval, context } = ran.structuredContent;
  assert.match(context, /^ctx_[a-z2-7]{20}$/);

  const listed = await callTool("list_executions", { context }, modern);
  assert.equal(listed.structuredContent.executions[0].execution_id, execution_id, JSON.stringify(listed));

  const approved = await callTool("approve_call", { handle: approval.handle, context }, modern);
  assert.equal(approved.structuredContent.ok, true, JSON.stringify(approved));
  assert.equal(approved.structuredContent.result, "gone");
  assert.equal(approved.structuredContent.context, context);
});

test("with the Inspector CLI speaking 2026-07-28, an unknown context is a JSON-RPC error with the reason, not an HTTP failure", async () => {
  const unknown = "ctx_aaaaaaaaaaaaaaaaaaaa";
  const failed = await callTool("execute_code", { code: "1", context: unknown }, ["--protocol-era", "modern"]).then(
    (out) => assert.fail(`expected a failure, got ${JSON.stringify(out)}`),
    (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ""}${err.stderr ?? ""}`,
  );
  assert.match(failed, new RegExp(`unknown context ${unknown} \\(contexts are deleted after`));
  // It used to be a 404 the CLI showed as a failed POST ("Error POSTing to endpoint: {...}", "status":404).
  assert.doesNotMatch(failed, /Error POSTing|"status":\s*404/);
});
