/**
 * What a user approves is what runs. The approval prompt (elicitation message, and the text of an
 * approval_required result) shows every argument, shortens long values in the middle with their length and says so,
 * and arguments that cannot be shown are refused without asking (src/sandbox/approval-prompt.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

let upstream: Upstream;
let gateway: Gateway;

before(async () => {
  upstream = await startNodeUpstream(fileURLToPath(new URL("../support/slow-upstream.mjs", import.meta.url)), []);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace", approval: { tools: { write_file: "ask" } } },
        { name: "slow", url: upstream.url, approval: { tools: { echo: "ask" } } },
      ],
    },
  });
});

after(async () => {
  await gateway?.dispose();
  await upstream?.stop();
});

/** A padded argument first, the one that matters after it: the attack on a prompt cut at a fixed length. */
const PADDED_WRITE = `import { write_file, read_file } from "servers/workspace";
await write_file({ content: "x".repeat(10000), path: "/etc-evil.txt" });
return (await read_file({ path: "/etc-evil.txt" })).length;`;

async function elicitingSession(): Promise<{ s: Session; asked: string[] }> {
  const s = await connect(gateway.mcpUrl, { capabilities: { elicitation: { form: {} } } });
  const asked: string[] = [];
  s.client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push((request.params as { message: string }).message);
    return { action: "accept", content: { approve: true } };
  });
  return { s, asked };
}

describe("approval prompts", () => {
  test("a padded argument cannot push another out of view: every argument is shown, long values shortened with their length", async () => {
    const { s, asked } = await elicitingSession();
    try {
      const r = await run(s, PADDED_WRITE);
      assert.equal(r.ok, true, r.text);
      assert.equal(asked.length, 1);
      assert.match(asked[0]!, /"path": "\/etc-evil\.txt"/);
      assert.match(asked[0]!, /"content": "x+…x+" \(shortened: 10,000 characters\)/);
      assert.match(asked[0]!, /SHORTENED/);
    } finally {
      await s.close();
    }
  });

  test("the approved call sends exactly the arguments the prompt described", async () => {
    const { s, asked } = await elicitingSession();
    try {
      const r = await run(s, PADDED_WRITE);
      assert.equal(r.ok, true, r.text);
      assert.equal(r.result, 10_000, "the full content was written, as its shown length said");
      assert.match(asked[0]!, /10,000 characters/);
    } finally {
      await s.close();
    }
  });

  test("arguments with too many names to show are refused without asking, and never sent", async () => {
    const { s, asked } = await elicitingSession();
    try {
      await run(s, 'import { reset } from "servers/slow";\nawait reset({});');
      const r = await run(
        s,
        `import { echo } from "servers/slow";
const value = {};
for (let i = 0; i < 5000; i++) value["k" + i] = i;
try { await echo({ value }); return "sent"; } catch (e) { return e.message; }`,
      );
      assert.equal(r.ok, true, r.text);
      assert.match(
        r.result,
        /slow\.echo needs approval, but its arguments \(5,001 property names\) are too many to show/,
      );
      assert.equal(asked.length, 0);
      const count = await run(s, 'import { count } from "servers/slow";\nreturn await count({});');
      assert.equal(count.result.total, 0);
    } finally {
      await s.close();
    }
  });

  test("an approval_required result shows the same rendering in its text and the exact arguments in its data", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const r = await run(s, PADDED_WRITE);
      assert.equal(r.status, "approval_required", r.text);
      assert.match(r.text, /"path": "\/etc-evil\.txt"/);
      assert.match(r.text, /\(shortened: 10,000 characters\)/);
      assert.ok(r.text.length < 4_000, `${r.text.length} characters of text`);
      assert.deepEqual(r.approval.arguments, { content: "x".repeat(10_000), path: "/etc-evil.txt" });
    } finally {
      await s.close();
    }
  });
});
