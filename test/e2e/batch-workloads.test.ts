/**
 * Ordinary batch work under the default limits (issue 13.3): the README's `count_lines` skill and the shipped
 * `copy_tree` on a 100-file directory, which max_tool_calls = 100 used to break. Runs against the defaults on purpose.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { GatewayConfigSchema } from "../../src/config";
import { connect, fullTrace, type Gateway, run, type Session, startGateway } from "../support/gateway";

const FILES = 100;

let gateway: Gateway;
let session: Session;

before(async () => {
  gateway = await startGateway();
  session = await connect(gateway.mcpUrl);
  const r = await run(
    session,
    `import { write_file } from "servers/workspace";
await Promise.all(Array.from({ length: ${FILES} }, (_, i) =>
  write_file({ path: "/batch/dir" + (i % 4) + "/f" + i + ".txt", content: "one\\ntwo\\nthree" })));
return "written";`,
  );
  assert.equal(r.result, "written", r.text);
});

after(async () => {
  await session?.close().catch(() => {});
  await gateway?.dispose();
});

/** The count_lines example of README.md, taken from the README itself so the two cannot drift apart. */
function readmeCountLines(): Record<string, unknown> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const block = /```ts\nsave_skill\(\{\n([\s\S]*?)\n\}\)\n```/.exec(readme);
  assert.ok(block, "README.md has the count_lines save_skill example");
  // The example is a JavaScript object literal written for people; evaluate it as one.
  return new Function(`return {${block[1]}};`)() as Record<string, unknown>;
}

test("the defaults allow batch work: 5,000 tool calls, 32 in flight, 10,000 gateway operations, 256 KiB of notifications", () => {
  const { limits } = GatewayConfigSchema.parse({});
  assert.equal(limits.max_tool_calls, 5_000);
  assert.equal(limits.max_calls_in_flight, 32);
  assert.equal(limits.max_gateway_ops, 10_000);
  assert.equal(limits.max_notification_bytes, 256 * 1024);
});

test("the README's count_lines skill counts a 100-file directory", async () => {
  const skill = readmeCountLines();
  assert.equal(skill.name, "count_lines");
  await session.data("save_skill", skill);
  const r = await session.data("run_skill", { name: "count_lines", input: { path: "/batch" } });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.deepEqual(r.result, { files: FILES, lines: 3 * FILES });
  assert.equal((await fullTrace(session, r.execution_id)).length, FILES + 1);
});

test("the shipped copy_tree copies a 100-file directory", async () => {
  const r = await session.data("run_skill", { name: "copy_tree", input: { from: "/batch", to: "/batch-copy" } });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.result.copied.length, FILES);
  assert.deepEqual(r.result.skipped, []);
  // 5 listings of the source, 1 of the target (absent: an error the skill expects), then a read and a write per file.
  const statuses = (await fullTrace(session, r.execution_id)).map((c: any) => `${c.tool}:${c.status}`);
  assert.equal(statuses.length, 6 + 2 * FILES);
  assert.deepEqual(
    statuses.filter((s: string) => !s.endsWith(":ok")),
    ["list_directory:error"],
  );
  const check = await run(
    session,
    'import { read_file } from "servers/workspace";\nreturn read_file({ path: "/batch-copy/dir3/f99.txt" });',
  );
  assert.equal(check.result, "one\ntwo\nthree");
});
