/**
 * Code generation from strings: Workers refuse eval, every Function constructor and WebAssembly compiled from bytes,
 * so code the gateway never prepared (and never guarded) cannot run.
 */
import { returns, returnsMatching, type Sample } from "./sample";

const NO_CODEGEN = /^EvalError: Code generation from strings disallowed for this context$/;
const NO_WASM = /^CompileError: WebAssembly\.\w+\(\): Wasm code generation disallowed by embedder$/;
/** The smallest valid WebAssembly module: magic number and version. */
const WASM_BYTES = "new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])";

const attempt = (expr: string) => `try { return await ${expr}; } catch (e) { return String(e); }`;

export const codegenSamples: Sample[] = [
  { name: "eval is refused", class: "codegen", code: attempt("eval('1 + 1')"), expect: returnsMatching(NO_CODEGEN) },
  {
    name: "indirect eval is refused",
    class: "codegen",
    code: attempt("(0, eval)('globalThis')"),
    expect: returnsMatching(NO_CODEGEN),
  },
  {
    name: "new Function is refused",
    class: "codegen",
    code: attempt("new Function('while (true) {}')()"),
    expect: returnsMatching(NO_CODEGEN),
  },
  {
    name: "constructor.constructor('return this') is refused",
    class: "codegen",
    code: attempt("(() => {}).constructor.constructor('return this')()"),
    expect: returnsMatching(NO_CODEGEN),
  },
  {
    name: "the AsyncFunction constructor is refused",
    class: "codegen",
    code: attempt("new (async () => {}).constructor('return 1')()"),
    expect: returnsMatching(NO_CODEGEN),
  },
  {
    name: "the GeneratorFunction constructor is refused",
    class: "codegen",
    code: attempt("new (function* () {}).constructor('yield 1')().next()"),
    expect: returnsMatching(NO_CODEGEN),
  },
  {
    name: "the AsyncGeneratorFunction constructor is refused",
    class: "codegen",
    code: attempt("new (async function* () {}).constructor('yield 1')().next()"),
    expect: returnsMatching(NO_CODEGEN),
  },
  {
    name: "WebAssembly.compile from bytes is refused",
    class: "codegen",
    code: attempt(`WebAssembly.compile(${WASM_BYTES})`),
    expect: returnsMatching(NO_WASM),
  },
  {
    name: "WebAssembly.instantiate from bytes is refused",
    class: "codegen",
    code: attempt(`WebAssembly.instantiate(${WASM_BYTES})`),
    expect: returnsMatching(NO_WASM),
  },
  {
    name: "new WebAssembly.Module from bytes is refused",
    class: "codegen",
    code: attempt(`new WebAssembly.Module(${WASM_BYTES})`),
    expect: returnsMatching(NO_WASM),
  },
  {
    name: "setTimeout with a string of code is refused",
    class: "codegen",
    code: attempt(
      "new Promise((resolve) => { setTimeout('globalThis.ran = 1', 0); setTimeout(resolve, 20); }).then(() => String(globalThis.ran))",
    ),
    expect: returnsMatching(/parameter 1 is not of type 'function'/),
  },
  {
    name: "node:vm through process.getBuiltinModule is refused",
    class: "codegen",
    code: attempt("process.getBuiltinModule('node:vm').runInNewContext('1 + 1')"),
    expect: returnsMatching(/process\.getBuiltinModule \(Node\.js and Cloudflare modules\) is not available/),
  },
  {
    name: "no ShadowRealm to start a fresh, unguarded realm",
    class: "codegen",
    code: "return typeof ShadowRealm;",
    expect: returns("undefined"),
  },
];
