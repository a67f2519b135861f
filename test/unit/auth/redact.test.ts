import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  REDACTED,
  REDACTED_ENCODED,
  redactError,
  redactText,
  redactValue,
  secretValues,
} from "../../../src/auth/redact";

/** A `${NAME}` reference as GATEWAY_CONFIG spells it. */
const ref = (name: string) => ["$", "{", name, "}"].join("");
const env = { TOKEN: "s3cr3t-token", QUOTED: 'we"ird\\tok', SHORT: "ab" };

describe("secret redaction", () => {
  test("secret values are each referenced value and each whole header built from one, longest first", () => {
    const secrets = secretValues(
      { Authorization: `Bearer ${ref("TOKEN")}`, "X-Plain": "no refs", "X-Short": ref("SHORT") },
      env,
    );
    assert.deepEqual(secrets, ["Bearer s3cr3t-token", "s3cr3t-token"]);
  });

  test("a missing secret is skipped, not thrown", () => {
    assert.deepEqual(secretValues({ A: ref("MISSING") }, env), []);
  });

  test("text loses every occurrence", () => {
    const secrets = secretValues({ A: `Bearer ${ref("TOKEN")}` }, env);
    assert.equal(redactText("got Bearer s3cr3t-token and s3cr3t-token", secrets), `got ${REDACTED} and ${REDACTED}`);
  });

  test("values are redacted in nested strings and keys, including secrets that JSON escapes", () => {
    const secrets = secretValues({ A: ref("TOKEN"), B: ref("QUOTED") }, env);
    const value = { a: ["x s3cr3t-token y", { [env.QUOTED]: env.QUOTED }], n: 1 };
    assert.deepEqual(redactValue(value, secrets), { a: [`x ${REDACTED} y`, { [REDACTED]: REDACTED }], n: 1 });
  });

  test("a value without secrets is returned as the same object", () => {
    const value = { a: 1 };
    assert.equal(redactValue(value, ["s3cr3t-token"]), value);
  });

  test("errors keep their type and lose the secret from message, stack and data", () => {
    class RpcError extends Error {
      data = { auth: "s3cr3t-token" };
    }
    const err = redactError(new RpcError("failed with s3cr3t-token"), ["s3cr3t-token"]) as RpcError;
    assert.ok(err instanceof RpcError);
    assert.equal(err.message, `failed with ${REDACTED}`);
    assert.ok(!String(err.stack).includes("s3cr3t-token"));
    assert.deepEqual(err.data, { auth: REDACTED });
  });

  test("a secret holding quotes and backslashes is redacted however many times it was JSON-escaped", () => {
    const secret = 'we"ird\\tok';
    let text = secret;
    for (let depth = 1; depth <= 5; depth++) {
      text = JSON.stringify(text).slice(1, -1);
      assert.equal(redactValue({ text: `x ${text} y` }, [secret]).text, `x ${REDACTED} y`, `escaped ${depth} times`);
    }
    const nested = JSON.stringify(JSON.stringify({ auth: secret }));
    assert.ok(!redactText(nested, [secret]).includes("ird"));
  });

  test("percent-encoded, base64 (at every byte offset), hex and HTML spellings are redacted", () => {
    const secret = 's3"cr3t\\token-value';
    const spellings = [
      encodeURIComponent(secret),
      encodeURIComponent(secret).toLowerCase(),
      Buffer.from(secret).toString("hex"),
      secret.replaceAll('"', "&quot;"),
      ...["", "x", "xy"].flatMap((prefix) => [
        Buffer.from(prefix + secret).toString("base64"),
        Buffer.from(prefix + secret).toString("base64url"),
      ]),
    ];
    for (const spelled of spellings) {
      const out = redactText(`<${spelled}>`, [secret]);
      assert.match(out, /\[redacted\]/, spelled);
      assert.ok(!out.includes(spelled), spelled);
    }
  });

  test("a value nested 100,000 levels deep is redacted without overflowing the stack", () => {
    let value: unknown = "s3cr3t-token";
    for (let i = 0; i < 100_000; i++) value = { v: value };
    let node = redactValue(value, ["s3cr3t-token"]) as { v: unknown };
    for (let i = 0; i < 100_000; i++) node = node.v as { v: unknown };
    assert.equal(node, REDACTED);
  });

  test("a key named __proto__ stays an own key when its value is redacted", () => {
    const value = JSON.parse('{"__proto__":"s3cr3t-token"}');
    const out = redactValue(value, ["s3cr3t-token"]);
    assert.equal(JSON.stringify(out), `{"__proto__":"${REDACTED}"}`);
  });

  test("text holding the secret in an encoding with no fixed spelling is replaced whole", () => {
    const secret = "s3cr3t-token-value";
    const unicode = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    const percent = [...secret].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    const html = [...secret].map((c) => `&#${c.charCodeAt(0)};`).join("");
    const wrapped = Buffer.from(secret)
      .toString("base64")
      .replace(/(.{7})/g, "$1\n");
    for (const encoded of [unicode, JSON.stringify(unicode).slice(1, -1), percent, html, wrapped]) {
      assert.equal(redactText(`x ${encoded} y`, [secret]), REDACTED_ENCODED, encoded);
      assert.deepEqual(redactValue({ a: [`x ${encoded} y`] }, [secret]), { a: [REDACTED_ENCODED] }, encoded);
    }
  });

  test("ordinary escaped text without a secret is left as it is", () => {
    const text = 'a \\"quoted\\" %20 &amp; \\u0041 line\nnext';
    assert.equal(redactText(text, ["s3cr3t-token-value"]), text);
  });
});
