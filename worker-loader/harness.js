// The sandbox isolate's main module: runs the agent's prepared module once and reports a value, never a throw.
// The executor loads a fresh isolate per execution, so module state here is per execution.
import { WorkerEntrypoint } from "cloudflare:workers";
import main from "./agent.js";
import { configure, isBudgetExceeded, StepBudgetError, stepsTaken, takeLogs, toJsonSafe } from "./runtime.js";

const AGENT_FRAME = /agent\.js:(\d+):(\d+)/;

function describeError(err, maxSteps) {
  if (isBudgetExceeded()) {
    return { name: "StepBudgetError", message: new StepBudgetError(maxSteps).message };
  }
  if (err === null || typeof err !== "object") {
    return { name: "Error", message: `the code threw a non-Error value: ${String(err)}` };
  }
  const frame = typeof err.stack === "string" ? AGENT_FRAME.exec(err.stack) : null;
  return {
    name: String(err.name ?? "Error"),
    message: String(err.message ?? ""),
    ...(frame ? { line: Number(frame[1]), column: Number(frame[2]) } : {}),
  };
}

export default class Harness extends WorkerEntrypoint {
  async run(options) {
    configure(this.env, options);
    try {
      const value = await main();
      if (isBudgetExceeded()) throw new StepBudgetError(options.maxSteps);
      const json = value === undefined ? undefined : JSON.stringify(toJsonSafe(value));
      return { ok: true, result: json, logs: takeLogs(), steps: stepsTaken() };
    } catch (err) {
      return { ok: false, error: describeError(err, options.maxSteps), logs: takeLogs(), steps: stepsTaken() };
    }
  }
}
