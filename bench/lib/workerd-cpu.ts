/**
 * @module bench/lib/workerd-cpu
 * CPU time of the bench's own workerd process, for A/Bs on a shared machine: wall time there moves with what other
 * processes do, while the CPU workerd spends on a batch of loads moves far less (it still grows a little when the
 * cores are busy).
 */
import { readdirSync, readFileSync } from "node:fs";

/** CPU ns the process has used, all threads (/proc/<pid>/task/<tid>/schedstat: ns on CPU first). */
export function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  }
  return ns;
}

/** The workerd processes this process started (wrangler runs them as its descendants), the busiest first. */
export function ownWorkerd(): number {
  const parent = new Map<number, number>();
  const workerd: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(entry), Number(fields[1]));
      if (stat.includes("(workerd)")) workerd.push(Number(entry));
    } catch {}
  }
  const mine = workerd.filter((pid) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  });
  if (mine.length === 0) throw new Error("no workerd process of this bench found");
  return mine.sort((a, b) => cpuNs(b) - cpuNs(a))[0]!;
}

/** The `q`-quantile of `xs` (unsorted). */
export const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]!;

/** Logs each variant's wall ms and workerd CPU ms per load (q1 and median) as a Markdown table. */
export function logVariantTable(samples: Map<string, number[]>, cpu: Map<string, number[]>): void {
  console.log(
    "| variant | q1 ms | median ms | workerd CPU ms per load: q1 | median |\n| --- | --- | --- | --- | --- |",
  );
  for (const [name, ms] of samples) {
    const c = cpu.get(name)!;
    const cells = [quantile(ms, 0.25), quantile(ms, 0.5), quantile(c, 0.25), quantile(c, 0.5)];
    console.log(`| ${name} | ${cells.map((x) => x.toFixed(2)).join(" | ")} |`);
  }
}
