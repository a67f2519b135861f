/**
 * @module bench/scenarios/host-steps
 * The executor's synchronous host-side work per execution, timed in Node (the Workers clock does not advance in
 * synchronous code, so it cannot be timed inside workerd): preparing the agent's code (TypeScript strip, parse,
 * import checks, guard insertion) and generating a server's binding module. Same JavaScript as in the Worker.
 */
import { bindingModuleSource } from "../../src/codegen/bindings";
import { prepareCode } from "../../src/sandbox/prepare";
import { median, round } from "../lib/stats";
import { ECHO_SERVER, ECHO_TOOL, oursSource, PROGRAMS } from "../programs";

function timeSync(runs: number, op: () => unknown): number {
  for (let i = 0; i < Math.min(50, runs); i++) op();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    op();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return round(median(samples));
}

export function hostSteps(quick: boolean) {
  const runs = quick ? 100 : 1000;
  const modules = { servers: { [ECHO_SERVER]: [ECHO_TOOL] }, gateway: [], skills: {} };
  const prepare = (name: string) => {
    const code = oursSource(PROGRAMS.find((p) => p.name === name)!);
    return timeSync(runs, () => {
      const r = prepareCode({ code, modules, guardName: "__cg_step_0a1b2c" });
      if (!r.ok) throw new Error(`bench: prepareCode refused the ${name} program: ${r.error.message}`);
    });
  };
  const tools = Array.from({ length: 50 }, (_, i) => ({ id: `tool_${i}`, name: `tool_${i}` }));
  return {
    runtime: `Node ${process.version}`,
    prepare_trivial_ms: prepare("trivial"),
    prepare_task20_ms: prepare("task20"),
    binding_module_50_tools_ms: timeSync(runs, () => bindingModuleSource("github", tools)),
  };
}
