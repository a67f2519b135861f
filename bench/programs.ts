/**
 * @module bench/programs
 * The programs both executors run in the executor comparison. Each body calls `echo(args)`, a host-side tool that
 * returns its arguments; the wrappers below adapt the same body to each executor's calling convention, so the
 * work inside the isolate is identical and only the executors differ.
 */

export interface BenchProgram {
  name: string;
  /** What the program exercises, for the report. */
  about: string;
  /** Module body (top-level `await` and `return`); calls the tool as `echo(args)`. */
  body: string;
  /** The value it must return (checked on every run, so a fast wrong answer never counts). */
  expect: unknown;
  /** Tool calls it makes. */
  toolCalls: number;
  /** Executions per timed batch (the Worker clock only advances on I/O, in whole milliseconds). */
  batch: number;
}

export const PROGRAMS: readonly BenchProgram[] = [
  {
    name: "trivial",
    about: "return a constant",
    body: "return 1;",
    expect: 1,
    toolCalls: 0,
    batch: 10,
  },
  {
    name: "compute",
    about: "1M-iteration arithmetic loop",
    body: "let s = 0;\nfor (let i = 0; i < 1000000; i++) { s = (s + i * i) % 1000003; }\nreturn s;",
    expect: 999989,
    toolCalls: 0,
    batch: 3,
  },
  {
    name: "task20",
    about: "20 sequential tool calls with 1 KB payloads, aggregated",
    body:
      'const pad = "x".repeat(1000);\nlet total = 0;\n' +
      "for (let i = 0; i < 20; i++) { const r = await echo({ i, pad }); total += r.i + r.pad.length; }\nreturn total;",
    expect: 20190,
    toolCalls: 20,
    batch: 5,
  },
  {
    name: "sequential_calls",
    about: "1,000 sequential tool calls",
    body: "let n = 0;\nfor (let i = 0; i < 1000; i++) { const r = await echo({ i }); n += r.i; }\nreturn n;",
    expect: 499500,
    toolCalls: 1000,
    batch: 1,
  },
  {
    name: "parallel_calls",
    about: "1,000 tool calls in parallel (Promise.all)",
    body: "const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => echo({ i })));\nreturn rs.length;",
    expect: 1000,
    toolCalls: 1000,
    batch: 1,
  },
];

/** Smaller variants for `--quick` (same shapes, fewer calls). */
export function quickProgram(program: BenchProgram): BenchProgram {
  if (program.toolCalls < 1000) return program;
  return {
    ...program,
    body: program.body.replaceAll("1000", "100"),
    about: program.about.replace("1,000", "100"),
    expect: program.name === "sequential_calls" ? 4950 : 100,
    toolCalls: 100,
  };
}

/** The server and tool name of the echo tool in our executor's catalog. */
export const ECHO_SERVER = "bench";
export const ECHO_TOOL = "echo";

/** Our executor's form: an ES module body importing the tool from its server module. */
export function oursSource(program: BenchProgram): string {
  return `import { ${ECHO_TOOL} } from "servers/${ECHO_SERVER}";\n${program.body}`;
}

/** @cloudflare/codemode's form: an async arrow function; tools live on the provider's namespace object. */
export function codemodeSource(program: BenchProgram): string {
  return `async () => {\nconst echo = (args) => ${ECHO_SERVER}.${ECHO_TOOL}(args);\n${program.body}\n}`;
}

/** Tight loops for the step guard's cost: guarded (as executed) versus the same code with the guard removed. */
export const GUARD_PROGRAMS: ReadonlyArray<{ name: string; about: string; body: string; expect: unknown }> = [
  {
    name: "loop40m",
    about: "40M-iteration loop (one guard call per iteration)",
    body: "let s = 0;\nfor (let i = 0; i < 40000000; i++) { s = (s + i) % 1000003; }\nreturn s;",
    expect: 7260,
  },
  {
    name: "calls10m",
    about: "10M function calls (a guard call per call and per loop iteration)",
    body: "function f(x) { return (x * 31 + 7) % 1000003; }\nlet s = 1;\nfor (let i = 0; i < 10000000; i++) s = f(s);\nreturn s;",
    expect: 983433,
  },
];
