/**
 * Type-only imports from a server too large to declare whole (over 64 tools: the type check declares only the tools a
 * program uses), through a real MCP client against the gateway and a real upstream of 80 tools: the types a program
 * imports (`import type { … }`, inline `type` specifiers, `import type * as N` and names used only as types) declare
 * the tools they belong to, so the program is checked against them instead of failing to find them.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const COUNTING = fileURLToPath(new URL("../support/counting-upstream.mjs", import.meta.url));
/** What the check says of `value: 5` where the tool's input declares `value?: string`. */
const WRONG_VALUE = "Type 'number' is not assignable to type 'string'.";

let upstream: Upstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  // `echo` and tool_0 … tool_79, each taking `{ value?: string }`.
  upstream = await startNodeUpstream(COUNTING, ["stateless", "0", "80"]);
  gateway = await startGateway({
    config: { typecheck: "tools", network: { allow_loopback: true }, servers: [{ name: "big", url: upstream.url }] },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

/** The messages of a run's warnings (the program's own annotations are warnings under the tools policy). */
const warned = (r: { warnings?: Array<{ message: string }> }) => (r.warnings ?? []).map((w) => w.message);

test("import type { … } from a server of 80 tools declares the tools its names belong to", async () => {
  const r = await run(
    session,
    'import type { Tool7Input } from "servers/big";\nconst a: Tool7Input = { value: 5 };\na',
  );
  assert.equal(r.ok, true, r.text);
  assert.deepEqual(warned(r), [WRONG_VALUE]);
  const fine = await run(
    session,
    'import type { Tool7Input, Tool70Output } from "servers/big";\nconst a: Tool7Input = { value: "x" };\nconst b: Tool70Output | undefined = undefined;\n[a.value, b]',
  );
  assert.equal(fine.ok, true, fine.text);
  assert.deepEqual(fine.result, ["x", null]);
  assert.deepEqual(warned(fine), []);
});

test("inline type specifiers, a type-only namespace and names used only as types are declared too", async () => {
  const inline = await run(
    session,
    'import { echo, type Tool8Input } from "servers/big";\nconst a: Tool8Input = { value: 5 };\nawait echo({ text: "hi" });\n1',
  );
  assert.equal(inline.ok, true, inline.text);
  assert.deepEqual(warned(inline), [WRONG_VALUE]);
  const namespace = await run(
    session,
    'import type * as Big from "servers/big";\nconst a: Big.Tool9Input = { value: 5 };\n1',
  );
  assert.equal(namespace.ok, true, namespace.text);
  assert.deepEqual(warned(namespace), [WRONG_VALUE]);
  const asType = await run(
    session,
    'import { Tool3Input } from "servers/big";\nconst a: Tool3Input = { value: 5 };\n1',
  );
  assert.equal(asType.ok, true, asType.text);
  assert.deepEqual(warned(asType), [WRONG_VALUE]);
  // A name no tool's types start with is still reported, not silently accepted.
  const unknown = await run(session, 'import type { NoSuchInput } from "servers/big";\nconst a: NoSuchInput = 1;\n1');
  assert.match(warned(unknown).join("\n") + (unknown.error?.message ?? ""), /NoSuchInput/);
});
