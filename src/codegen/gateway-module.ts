/**
 * @module codegen/gateway-module
 * The gateway's own module, `import { state, progress } from "gateway"` (worker-loader/gateway.js implements it):
 * each export's TypeScript declaration, which the type check reads and search_tools shows, and the words a search
 * for it may use. One list, so what a model is shown is what its program is checked against.
 */

/** One export of the `gateway` module. */
export interface GatewayExport {
  name: string;
  /** Its TypeScript declaration inside `declare module "gateway"`, with its documentation. */
  declaration: string;
  /** What it is for, in words a request uses (searched, never shown). */
  about: string;
  /** More words a request may use for it (searched as tags). */
  keywords: readonly string[];
}

export const GATEWAY_MODULE: readonly GatewayExport[] = [
  {
    name: "state",
    declaration: `/** Values kept in the session between executions (JSON only), and earlier executions' results. */
export const state: {
  /** The stored value, or undefined. */
  get(key: string): Promise<any>;
  /** Stores a JSON value; undefined is refused (state.delete(key) removes a key, null keeps an empty value). */
  set(key: string, value: unknown): Promise<void>;
  /** Deletes a key; resolves to whether it existed. */
  delete(key: string): Promise<boolean>;
  /** Keys in order, optionally only those starting with a prefix. */
  keys(prefix?: string): Promise<string[]>;
  /** The previous execution of this session, or undefined. */
  last(): Promise<{ execution_id: string; ok: boolean; result?: any; error?: { kind: string; message: string } } | undefined>;
  /** The result of an earlier execution by its id. */
  result(executionId: string): Promise<any>;
};`,
    about:
      "Keep, store and read back JSON values between executions of the session (durable key-value state), and read " +
      "the previous execution's result or an earlier execution's result by id.",
    keywords: [
      "keep",
      "store",
      "save",
      "persist",
      "remember",
      "durable",
      "memory",
      "state",
      "value",
      "data",
      "key",
      "delete",
      "cache",
      "variable",
      "counter",
      "session",
      "context",
      "across",
      "runs",
      "executions",
      "later",
      "next",
      "previous",
      "last",
      "earlier",
      "result",
    ],
  },
  {
    name: "progress",
    declaration: `/** Reports progress to the client while the execution runs: progress(3, 10, "processed 3 of 10 files"). */
export function progress(current: number, total?: number, message?: string): Promise<void>;`,
    about: "Report progress to the client while a long execution runs: how much is done of how much, with a message.",
    keywords: [
      "progress",
      "report",
      "status",
      "percent",
      "done",
      "notify",
      "notification",
      "update",
      "running",
      "long",
    ],
  },
];

/** The export names, for import checks (e.g. `["state", "progress"]`). */
export const GATEWAY_EXPORTS: readonly string[] = GATEWAY_MODULE.map((e) => e.name);

/** The `declare module "gateway"` block a program importing it is checked against. */
export const GATEWAY_DECLARATION = `declare module "gateway" {\n${GATEWAY_MODULE.map((e) => indent(e.declaration)).join("\n")}\n}`;

/** The import line of one export. */
export const gatewayImport = (name: string) => `import { ${name} } from "gateway";`;

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `  ${line}` : line))
    .join("\n");
}

/** The export `name` refers to: `gateway.state`, as search_tools lists it, or `gateway:state`; undefined if none. */
export function gatewayExportNamed(name: string): GatewayExport | undefined {
  const m = /^gateway[.:]([A-Za-z_$][\w$]{0,63})$/.exec(name);
  return m ? GATEWAY_MODULE.find((e) => e.name === m[1]) : undefined;
}
