/**
 * The SSRF guard end to end: upstream URLs that point at loopback, metadata or private addresses, in the odd
 * spellings of the threat model, are refused before any connection unless the configuration allows them, and
 * redirects are checked hop by hop.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { freePort } from "../support/upstreams";

async function servers(s: Session): Promise<Record<string, any>> {
  const { servers } = await s.data("list_servers");
  return Object.fromEntries(servers.map((x: any) => [x.name, x]));
}

describe("with the default network policy", () => {
  let target: FaultyUpstream;
  let gateway: Gateway;
  let session: Session;
  const refused: Record<string, RegExp> = {};

  before(async () => {
    target = await startFaulty();
    const port = target.port;
    const upstreams: Record<string, [string, RegExp]> = {
      literal: [`http://127.0.0.1:${port}/mcp`, /127\.0\.0\.1 is a loopback address/],
      decimal: [`http://2130706433:${port}/mcp`, /127\.0\.0\.1 is a loopback address/],
      "short-hex": [`http://0x7f.1:${port}/mcp`, /127\.0\.0\.1 is a loopback address/],
      mapped: [`http://[::ffff:127.0.0.1]:${port}/mcp`, /::ffff:7f00:1 is a loopback address/],
      localhost: [`http://localhost:${port}/mcp`, /localhost is a loopback address/],
      "nip-io": [`http://127.0.0.1.nip.io:${port}/mcp`, /127\.0\.0\.1\.nip\.io is a loopback address/],
      metadata: ["http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a cloud metadata address/],
      "metadata-name": ["http://metadata.google.internal/computeMetadata/v1/", /is a cloud metadata address/],
      private: ["http://10.0.0.1/mcp", /10\.0\.0\.1 is a private address/],
    };
    for (const [name, [, pattern]] of Object.entries(upstreams)) refused[name] = pattern;
    gateway = await startGateway({
      config: {
        servers: [
          { name: "workspace", url: "builtin:workspace" },
          ...Object.entries(upstreams).map(([name, [url]]) => ({ name, url })),
        ],
      },
    });
    session = await connect(gateway.mcpUrl);
    await target.set({ reset_counts: true });
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
    await target?.stop();
  });

  test("every loopback, metadata and private spelling is refused with the setting that would allow it", async () => {
    const all = await servers(session);
    for (const [name, pattern] of Object.entries(refused)) {
      assert.equal(all[name].status, "error", name);
      assert.match(all[name].last_error.message, /^refused to connect to http:\/\//, name);
      assert.match(all[name].last_error.message, pattern, name);
    }
    assert.match(all.literal.last_error.message, /set network\.allow_loopback = true/);
    assert.match(all.private.last_error.message, /set network\.allow_private = true/);
  });

  test("nothing reached the upstream behind the refused URLs", async () => {
    await servers(session);
    assert.equal((await target.state()).counts.http, 0);
  });

  test("a refusal is a configuration error, not an upstream fault: no circuit is tripped", async () => {
    for (let i = 0; i < 3; i++) await session.data("list_servers", { refresh: true });
    const all = await servers(session);
    assert.equal(all.literal.circuit, undefined, JSON.stringify(all.literal.circuit));
  });

  test("the built-in server keeps working next to the refused ones", async () => {
    const r = await run(
      session,
      `import { list_directory } from "servers/workspace";\nreturn await list_directory({ path: "/" });`,
    );
    assert.equal(r.ok, true, r.text);
  });
});

describe("with one host allowed, redirects are checked hop by hop", () => {
  let redirector: FaultyUpstream;
  let target: FaultyUpstream;
  let gateway: Gateway;
  let session: Session;

  before(async () => {
    redirector = await startFaulty();
    target = await startFaulty();
    await redirector.set({ mode: "redirect" });
    const via = (to: string) => `${redirector.url}?redirect_to=${encodeURIComponent(to)}`;
    gateway = await startGateway({
      config: {
        network: { allow_hosts: ["127.0.0.1"] },
        servers: [
          { name: "to-metadata", url: via("http://169.254.169.254/latest/meta-data/") },
          { name: "to-localhost", url: via(`http://localhost:${await freePort()}/mcp`) },
          { name: "to-mapped", url: via(`http://[::ffff:127.0.0.1]:${target.port}/mcp`) },
          { name: "to-hex", url: via(`http://0x7f.1:${target.port}/mcp`) },
        ],
      },
    });
    session = await connect(gateway.mcpUrl);
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
    await Promise.all([redirector?.stop(), target?.stop()]);
  });

  test("a redirect to the metadata address is refused and names both hops", async () => {
    const { "to-metadata": s } = await servers(session);
    assert.equal(s.status, "error");
    assert.match(
      s.last_error.message,
      /refused to follow a redirect from http:\/\/127\.0\.0\.1:\d+\/mcp to http:\/\/169\.254\.169\.254: .*cloud metadata/,
    );
  });

  test("redirects to other spellings of loopback that the allow-list does not name are refused", async () => {
    const all = await servers(session);
    assert.match(all["to-localhost"].last_error.message, /redirect .* localhost is a loopback address/);
    assert.match(all["to-mapped"].last_error.message, /redirect .* ::ffff:7f00:1 is a loopback address/);
  });

  test("a redirect to a spelling that normalizes to the allowed host is followed", async () => {
    const all = await servers(session);
    assert.equal(all["to-hex"].status, "ok", JSON.stringify(all["to-hex"].last_error));
    assert.equal(all["to-hex"].tool_count, 2);
    const r = await run(session, `import { add } from "servers/to_hex";\nreturn await add({ a: 20, b: 22 });`);
    assert.equal(r.result, 42, r.text);
  });
});
