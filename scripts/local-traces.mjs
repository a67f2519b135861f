// wrangler (4.164) records every local request as a trace in a SQLite store by default, for its local explorer
// (X_LOCAL_OBSERVABILITY, on unless set to false). That is several synchronous disk writes per request: four fsyncs
// per warm `execute_code`, against three for the gateway's own storage, and a fifth to a third of its time at the
// client (`local_traces` in bench/results.json). The gateway keeps its own execution history (the dashboard), so
// `npm run dev`, the tests, the conformance suite and the bench turn the traces off; X_LOCAL_OBSERVABILITY=true turns
// them back on.
export const LOCAL_TRACES_VARIABLE = "X_LOCAL_OBSERVABILITY";

/** Turns wrangler's local request traces off for this process and what it starts, unless the variable is set. */
export function quietLocalTraces() {
  process.env[LOCAL_TRACES_VARIABLE] ??= "false";
}
