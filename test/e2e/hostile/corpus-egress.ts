/**
 * Network egress: the isolate is loaded with `globalOutbound: null`, so every network API fails; the gateway's
 * stand-ins say why first, and workerd's own block still holds for the originals under them. Socket and Node.js
 * network modules cannot even be loaded. The sandbox reaches the outside only through tools.
 */
import { fails, NO_BUILTIN_MODULES, NO_INTERNET, NO_NETWORK, returnsMatching, type Sample } from "./sample";

/** Tries `expr` and returns the error message (or "reached"). */
const attempt = (expr: string) => `try { await ${expr}; return "reached"; } catch (e) { return String(e.message); }`;

export const egressSamples: Sample[] = [
  {
    name: "fetch to the internet fails",
    class: "egress",
    code: attempt("fetch('https://example.com/')"),
    expect: returnsMatching(NO_NETWORK),
  },
  {
    name: "fetch to the gateway itself fails",
    class: "egress",
    code: (ctx) => attempt(`fetch(${JSON.stringify(`${ctx.gatewayUrl}health`)})`),
    expect: returnsMatching(NO_NETWORK),
  },
  {
    name: "fetch straight to an upstream MCP server fails (tools are the only way)",
    class: "egress",
    code: (ctx) =>
      attempt(
        `fetch(${JSON.stringify(ctx.upstreamUrl)}, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })`,
      ),
    expect: returnsMatching(NO_NETWORK),
    upstreamCalls: 0,
  },
  {
    name: "fetch of a Request object to a metadata address fails",
    class: "egress",
    code: attempt("fetch(new Request('http://169.254.169.254/latest/meta-data/'))"),
    expect: returnsMatching(NO_NETWORK),
  },
  {
    name: "a WebSocket cannot be opened",
    class: "egress",
    code: "try { new WebSocket('wss://example.com/'); return 'opened'; } catch (e) { return String(e.message); }",
    expect: returnsMatching(NO_NETWORK),
  },
  {
    name: "workerd's own fetch, found under the gateway's stand-in, is still blocked",
    class: "egress",
    code: attempt(
      "(() => { for (let o = Object.getPrototypeOf(globalThis); o; o = Object.getPrototypeOf(o)) { const d = Object.getOwnPropertyDescriptor(o, 'fetch'); if (d) return d.value; } })().call(globalThis, 'https://example.com/')",
    ),
    expect: returnsMatching(NO_INTERNET),
  },
  {
    name: "workerd's own WebSocket, the stand-in's superclass, is still blocked",
    class: "egress",
    code: "try { new (Object.getPrototypeOf(WebSocket))('wss://example.com/'); return 'opened'; } catch (e) { return String(e.message); }",
    expect: returnsMatching(NO_INTERNET),
  },
  {
    name: "a static import of cloudflare:sockets is refused",
    class: "egress",
    code: "import { connect } from 'cloudflare:sockets';\nreturn connect('127.0.0.1:22');",
    expect: fails("import", /Cannot import "cloudflare:sockets": the sandbox has no network/, 1),
  },
  {
    name: "cloudflare:sockets through process.getBuiltinModule is refused",
    class: "egress",
    code: "return process.getBuiltinModule('cloudflare:sockets').connect('127.0.0.1:22');",
    expect: fails("runtime", NO_BUILTIN_MODULES),
  },
  {
    name: "node:net through process.getBuiltinModule is refused",
    class: "egress",
    code: "return process.getBuiltinModule('node:net').connect(22, '127.0.0.1');",
    expect: fails("runtime", NO_BUILTIN_MODULES),
  },
  {
    name: "node:http through process.getBuiltinModule is refused",
    class: "egress",
    code: "return process.getBuiltinModule('node:http').get('http://example.com/');",
    expect: fails("runtime", NO_BUILTIN_MODULES),
  },
  {
    name: "a static import of node:https is refused",
    class: "egress",
    code: "import https from 'node:https';\nreturn https.get('https://example.com/');",
    expect: fails("import", /Cannot import "node:https": the sandbox has no network/, 1),
  },
];
