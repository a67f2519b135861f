import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { parseKeyBytes } from "../../../src/user/connections-key";
import { ensureDevConnectionsKey } from "../../../scripts/dev-vars";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-dev-vars-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key = (text: string) => /^CONNECTIONS_KEY=(.*)$/m.exec(text)?.[1];

test("npm run dev on a clone without .dev.vars creates it with a CONNECTIONS_KEY the gateway accepts, readable by the owner only", () => {
  const outcome = ensureDevConnectionsKey(dir);
  assert.equal(outcome.wrote, join(dir, ".dev.vars"));
  const written = readFileSync(join(dir, ".dev.vars"), "utf8");
  assert.equal(parseKeyBytes(key(written) ?? "")?.length, 32, written);
  assert.equal(statSync(join(dir, ".dev.vars")).mode & 0o077, 0);
});

test("a second start keeps the key it wrote, so what earlier runs sealed still opens", () => {
  ensureDevConnectionsKey(dir);
  const first = readFileSync(join(dir, ".dev.vars"), "utf8");
  assert.deepEqual(ensureDevConnectionsKey(dir), {});
  assert.equal(readFileSync(join(dir, ".dev.vars"), "utf8"), first);
});

test("a .dev.vars with other secrets but no CONNECTIONS_KEY keeps them and gains a key on a line of its own", () => {
  writeFileSync(join(dir, ".dev.vars"), "GITHUB_TOKEN=abc");
  ensureDevConnectionsKey(dir);
  const text = readFileSync(join(dir, ".dev.vars"), "utf8");
  assert.match(text, /^GITHUB_TOKEN=abc\nCONNECTIONS_KEY=[0-9a-f]{64}\n$/);
});

test("a CONNECTIONS_KEY the user set is left as it is", () => {
  writeFileSync(join(dir, ".dev.vars"), "CONNECTIONS_KEY=mine\n");
  assert.deepEqual(ensureDevConnectionsKey(dir), {});
  assert.equal(readFileSync(join(dir, ".dev.vars"), "utf8"), "CONNECTIONS_KEY=mine\n");
});

test("with only a .env (which a new .dev.vars would hide from wrangler) nothing is written and the note says what to add", () => {
  writeFileSync(join(dir, ".env"), "GITHUB_TOKEN=abc\n");
  const outcome = ensureDevConnectionsKey(dir);
  assert.equal(outcome.wrote, undefined);
  assert.match(outcome.note ?? "", /CONNECTIONS_KEY=<output of openssl rand -hex 32>/);
  assert.throws(() => statSync(join(dir, ".dev.vars")));
});

test("with --env staging and a .dev.vars.staging, the key goes there", () => {
  writeFileSync(join(dir, ".dev.vars.staging"), "A=1\n");
  assert.equal(ensureDevConnectionsKey(dir, "staging").wrote, join(dir, ".dev.vars.staging"));
  assert.match(readFileSync(join(dir, ".dev.vars.staging"), "utf8"), /CONNECTIONS_KEY=[0-9a-f]{64}/);
});

test("a CONNECTIONS_KEY in .env.local, which wrangler reads when there is no .dev.vars, is enough", () => {
  writeFileSync(join(dir, ".env"), "A=1\n");
  writeFileSync(join(dir, ".env.local"), "CONNECTIONS_KEY=mine\n");
  assert.deepEqual(ensureDevConnectionsKey(dir), {});
  assert.throws(() => statSync(join(dir, ".dev.vars")));
});
