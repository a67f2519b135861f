/**
 * The bounded fetches of src/shared/capped-fetch.ts against real servers on loopback. The OAuth client's: a
 * declared Content-Length over the bound is refused before the body is read; a body within it reads as usual (the
 * undeclared case runs end to end in test/e2e/upstream-oauth.test.ts). The upstream MCP connections': each message
 * is bounded (a JSON body whole, an event stream event by event, boundaries split across chunks included), and a
 * refused body is cancelled. End to end through the gateway: test/e2e/upstream-faults.test.ts.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  cappedFetch,
  EventMeter,
  messageCappedFetch,
  ResponseTooLargeError,
  StreamRefusedError,
} from "../../../src/shared/capped-fetch";

const MAX = 1024;
let server: Server;
let base: string;
const fetchCapped = cappedFetch((input, init) => fetch(input, init), MAX);

before(async () => {
  server = createServer((req, res) => {
    const size = Number(new URL(req.url ?? "/", "http://x").searchParams.get("size"));
    res.writeHead(200, { "content-type": "application/json", "content-length": String(size + 2) });
    res.end(JSON.stringify("a".repeat(size)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("a declared Content-Length over the bound is refused before the body is read, naming the URL and the bound", async () => {
  await assert.rejects(fetchCapped(`${base}/meta?size=100000`), (err: unknown) => {
    assert.ok(err instanceof ResponseTooLargeError);
    assert.match(err.message, /^http:\/\/127\.0\.0\.1:\d+\/meta answered with more than 1 KB; refused$/);
    return true;
  });
});

test("a body within the bound reads whole, with its status and headers", async () => {
  const response = await fetchCapped(`${base}/meta?size=100`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(((await response.json()) as string).length, 100);
});

// ---- messageCappedFetch: the per-message bound on upstream MCP servers' answers ----

/** What one route of the scripted server sends: a content type, then chunks written one by one with a pause. */
interface Script {
  type: string;
  /** Declared Content-Length, if any (otherwise the body is chunked). */
  length?: number;
  chunks: () => Iterable<string>;
  /** Pause between chunks, so each reaches the client as a read of its own. */
  pauseMs?: number;
}

/** Resolves once `res` can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      res.off("drain", go).off("close", go);
      resolve();
    };
    res.on("drain", go).on("close", go);
  });
}

const scripts = new Map<string, Script>();
/** Bytes each route wrote, and whether the client hung up before the end. */
const sentBy = new Map<string, { bytes: number; cutOff: boolean }>();
let scripted: Server;
let scriptedBase: string;
const PAD = (n: number) => "x".repeat(n);

before(async () => {
  scripted = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const script = scripts.get(path);
    if (!script) return void res.writeHead(404).end();
    for await (const _ of req);
    const record = { bytes: 0, cutOff: false };
    sentBy.set(path, record);
    res.on("close", () => {
      if (!res.writableFinished) record.cutOff = true;
    });
    res.writeHead(200, {
      "content-type": script.type,
      ...(script.length === undefined ? {} : { "content-length": String(script.length) }),
    });
    for (const chunk of script.chunks()) {
      if (res.destroyed) return;
      record.bytes += Buffer.byteLength(chunk);
      if (!res.write(chunk)) await drained(res);
      if (script.pauseMs) await new Promise((r) => setTimeout(r, script.pauseMs));
    }
    if (!res.destroyed) res.end();
  });
  await new Promise<void>((resolve) => scripted.listen(0, "127.0.0.1", resolve));
  scriptedBase = `http://127.0.0.1:${(scripted.address() as AddressInfo).port}`;
});
after(async () => {
  scripted.closeAllConnections();
  await new Promise((resolve) => scripted.close(resolve));
});

const capped = messageCappedFetch((input, init) => fetch(input, init), MAX, "demo");
const OVER = /^upstream demo answered with a message over 1 KB; refused \(the gateway's limit per upstream message\)/;

/** Waits until the client hung up on `path` before its end (the bounded fetch cancelled the body). */
async function cutOff(path: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (sentBy.get(path)?.cutOff !== true) {
    if (Date.now() > deadline) assert.fail(`${path}: the client never hung up`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads a body to its end, as text. */
async function drain(response: Response): Promise<string> {
  return await response.text();
}

/** The events of an SSE text (LF, CRLF or CR line ends), as field maps. */
function events(text: string): Array<Record<string, string>> {
  return text
    .split(/\r\n\r\n|\n\n|\r\r/)
    .filter((block) => block.trim() !== "")
    .map((block) =>
      Object.fromEntries(
        block.split(/\r\n|\n|\r/).map((line) => {
          const at = line.indexOf(":");
          return [line.slice(0, at), line.slice(at + 1).trimStart()];
        }),
      ),
    );
}

/** Many MB of filler, 64 KB at a time, for bodies the client must stop reading. */
function* filler(totalBytes: number): Iterable<string> {
  const chunk = PAD(64 * 1024);
  for (let sent = 0; sent < totalBytes; sent += chunk.length) yield chunk;
}

const HUGE = 64 * 1024 * 1024;

describe("messageCappedFetch", () => {
  test("an event stream of many small events, far over the bound in total, passes whole", async () => {
    scripts.set("/sse-many", {
      type: "text/event-stream",
      chunks: function* () {
        for (let i = 0; i < 5_000; i++) yield `event: message\ndata: {"n":${i},"pad":"${PAD(200)}"}\n\n`;
      },
    });
    const response = await capped.fetch(`${scriptedBase}/sse-many`);
    const text = await drain(response);
    assert.ok(text.length > 1_000 * MAX, `${text.length} bytes in all`);
    const got = events(text);
    assert.equal(got.length, 5_000);
    assert.equal(JSON.parse(got[4_999]!.data!).n, 4_999);
  });

  test("one event over the bound fails a stream that answers no request, and the upstream is cut off", async () => {
    scripts.set("/sse-one-huge", {
      type: "text/event-stream",
      chunks: function* () {
        yield `event: message\ndata: {"small":true}\n\n`;
        yield `event: message\ndata: "`;
        yield* filler(HUGE);
        yield `"\n\n`;
      },
    });
    const response = await capped.fetch(`${scriptedBase}/sse-one-huge`);
    await assert.rejects(drain(response), (err: unknown) => {
      assert.ok(err instanceof ResponseTooLargeError, String(err));
      assert.match(err.message, OVER);
      return true;
    });
    await cutOff("/sse-one-huge");
    assert.ok(sentBy.get("/sse-one-huge")!.bytes < HUGE / 4, `${sentBy.get("/sse-one-huge")!.bytes} bytes were sent`);
  });

  test("a refused stream that answers no request gives marked errors for the requests its transport has waiting", async () => {
    scripts.set("/sse-legacy", {
      type: "text/event-stream",
      chunks: function* () {
        yield `event: message\ndata: {"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"`;
        yield* filler(HUGE);
        yield `"}]}}\n\n`;
      },
    });
    let refused: unknown;
    await drain(await capped.fetch(`${scriptedBase}/sse-legacy`)).catch((err) => (refused = err));
    assert.ok(refused instanceof StreamRefusedError, String(refused));
    // One request waiting: the huge message was its answer, so the advice is for its method.
    const [one] = refused.answers([{ id: 3, method: "tools/call" }]) as any[];
    assert.deepEqual([one.id, one.error.code], [3, -32603]);
    assert.match(one.error.message, /ask the tool for less \(filters, pagination\)$/);
    const asThrown = Object.assign(new Error(one.error.message), { code: -32603, data: one.error.data });
    assert.ok(capped.refusal(asThrown) instanceof ResponseTooLargeError);
    // Several: it was one of theirs, so no advice for one method.
    const several = refused.answers([
      { id: 4, method: "tools/call" },
      { id: "x", method: "tools/list" },
    ]) as any[];
    assert.deepEqual(
      several.map((a) => a.id),
      [4, "x"],
    );
    for (const a of several) assert.match(a.error.message, /\(the gateway's limit per upstream message\)$/);
  });

  test("answering a POST, the events before the refused one arrive, then a JSON-RPC error for the request, marked", async () => {
    scripts.set("/sse-post", {
      type: "text/event-stream; charset=utf-8",
      pauseMs: 5,
      chunks: function* () {
        yield `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\n\n`;
        yield `event: message\ndata: {"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"`;
        yield* filler(HUGE);
        yield `"}]}}\n\n`;
      },
    });
    const body = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "x" } });
    const response = await capped.fetch(`${scriptedBase}/sse-post`, { method: "POST", body });
    const got = events(await drain(response));
    assert.equal(got.length, 3, JSON.stringify(got).slice(0, 500));
    assert.equal(JSON.parse(got[0]!.data!).method, "notifications/progress");
    assert.equal(got[1]!.event, "refused-by-gateway", "the partial event is ended as a type MCP clients ignore");
    assert.equal(got[2]!.event, "message");
    const answer = JSON.parse(got[2]!.data!);
    assert.equal(answer.id, 7);
    assert.match(answer.error.message, OVER);
    assert.match(answer.error.message, /ask the tool for less \(filters, pagination\)$/);
    assert.equal(answer.error.data.limit_bytes, MAX);
    assert.ok(sentBy.get("/sse-post")!.bytes < HUGE / 4);

    // The client raises it as a JSON-RPC error; the fetch that made it recognises it, and only it.
    const asThrown = Object.assign(new Error(answer.error.message), { code: -32603, data: answer.error.data });
    const refused = capped.refusal(asThrown);
    assert.ok(refused instanceof ResponseTooLargeError);
    assert.equal(refused.message, answer.error.message);
    const other = messageCappedFetch((input, init) => fetch(input, init), MAX, "demo");
    assert.equal(
      other.refusal(asThrown),
      asThrown,
      "another connection's mark (or an upstream's forgery) is not honoured",
    );
  });

  test("an event boundary split across chunks ends the event (LF, CRLF and CR)", async () => {
    // Each event is 3/4 of the bound: two counted as one would be over it.
    const data = PAD(Math.floor(MAX * 0.75));
    for (const [name, eol] of [
      ["lf", "\n"],
      ["crlf", "\r\n"],
      ["cr", "\r"],
    ] as const) {
      scripts.set(`/sse-split-${name}`, {
        type: "text/event-stream",
        pauseMs: 10,
        chunks: function* () {
          for (let i = 0; i < 6; i++) {
            yield `data: ${data}${eol}`;
            // The blank line's terminator alone, as a chunk of its own; for CRLF also split between CR and LF.
            if (eol === "\r\n") {
              yield "\r";
              yield "\n";
            } else yield eol;
          }
        },
      });
      const got = events(await drain(await capped.fetch(`${scriptedBase}/sse-split-${name}`)));
      assert.equal(got.length, 6, name);
    }
  });

  test("CRLF-framed events within the bound pass; line breaks that are not a blank line do not end an event", async () => {
    scripts.set("/sse-crlf", {
      type: "text/event-stream",
      chunks: function* () {
        for (let i = 0; i < 20; i++) yield `event: message\r\ndata: ${PAD(MAX / 2)}\r\n\r\n`;
      },
    });
    assert.equal(events(await drain(await capped.fetch(`${scriptedBase}/sse-crlf`))).length, 20);

    // One event of many data lines, each short, together over the bound.
    scripts.set("/sse-crlf-lines", {
      type: "text/event-stream",
      chunks: function* () {
        for (let i = 0; i < 40; i++) yield `data: ${PAD(100)}\r\n`;
        yield "\r\n";
      },
    });
    await assert.rejects(drain(await capped.fetch(`${scriptedBase}/sse-crlf-lines`)), ResponseTooLargeError);
  });

  test("a JSON body over the bound with a declared Content-Length is refused before it is read", async () => {
    scripts.set("/json-declared", { type: "application/json", length: HUGE, chunks: () => filler(HUGE) });
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    await assert.rejects(capped.fetch(`${scriptedBase}/json-declared`, { method: "POST", body }), (err: unknown) => {
      assert.ok(err instanceof ResponseTooLargeError);
      assert.match(err.message, OVER);
      assert.match(err.message, /list its tools in smaller pages \(nextCursor\)$/);
      return true;
    });
    await cutOff("/json-declared");
    assert.ok(sentBy.get("/json-declared")!.bytes < HUGE / 4);
  });

  test("a chunked JSON body over the bound fails its read once past the bound; one within it reads whole", async () => {
    scripts.set("/json-chunked", {
      type: "application/json",
      chunks: function* () {
        yield '{"jsonrpc":"2.0","id":1,"result":{"pad":"';
        yield* filler(HUGE);
        yield '"}}';
      },
    });
    const response = await capped.fetch(`${scriptedBase}/json-chunked`, { method: "POST", body: "{}" });
    await assert.rejects(response.json(), (err: unknown) => {
      assert.ok(err instanceof ResponseTooLargeError, String(err));
      assert.match(err.message, OVER);
      return true;
    });
    await cutOff("/json-chunked");
    assert.ok(sentBy.get("/json-chunked")!.bytes < HUGE / 4);

    // A JSON body is one message however it is split: no event boundary resets the count.
    scripts.set("/json-newlines", {
      type: "application/json",
      chunks: function* () {
        yield "[";
        for (let i = 0; i < 40; i++) yield `${i ? "," : ""}"${PAD(50)}"\n\n`;
        yield "]";
      },
    });
    await assert.rejects(drain(await capped.fetch(`${scriptedBase}/json-newlines`)), ResponseTooLargeError);

    scripts.set("/json-small", { type: "application/json", chunks: () => [`{"ok":"${PAD(MAX - 20)}"}`] });
    assert.equal(
      ((await (await capped.fetch(`${scriptedBase}/json-small`)).json()) as { ok: string }).ok.length,
      MAX - 20,
    );
  });
});

describe("EventMeter", () => {
  /** The verdict of the meter (bound 10) on `text` cut at `cuts`: -1, or the offset where the refused event starts. */
  function verdict(text: string, cuts: number[]): number {
    const bytes = new TextEncoder().encode(text);
    const meter = new EventMeter(10);
    let at = 0;
    for (const end of [...cuts, bytes.length]) {
      const pending = meter.pending;
      const over = meter.feed(bytes.subarray(at, end));
      if (over !== -1) return over === 0 ? at - pending : at + over;
      at = end;
    }
    return -1;
  }

  test("the same verdict wherever the chunks are cut", () => {
    const cases: Array<[string, number]> = [
      ["data: 1\n\ndata: 2\n\n", -1],
      ["d:1\r\n\r\nd:2\r\n\r\n", -1],
      ["data: 1\r\rdata: 2\r\r", -1],
      ["data: 1\n\r\ndata: 2\r\n\n", -1],
      ["data: 12\n\n", -1],
      ["data: 123\n\n", 0],
      ["data: 1\n\ndata: 12345\n\n", 9],
      ["d:1\r\n\r\nd:123456789\r\n", 7],
      ["data: 1\n\ndata: 12345678", 9],
      ["data: 1\ndata: 2\n\n", 0],
      ["data: 1\r\ndata: 2\r\n", 0],
    ];
    for (const [text, expected] of cases) {
      assert.equal(verdict(text, []), expected, JSON.stringify(text));
      for (let a = 0; a <= text.length; a++) {
        for (let b = a; b <= text.length; b++) {
          assert.equal(verdict(text, [a, b]), expected, `${JSON.stringify(text)} cut at ${a}, ${b}`);
        }
      }
    }
  });
});
