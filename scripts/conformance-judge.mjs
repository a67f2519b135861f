// Shared by scripts/conformance.mjs and scripts/conformance-auth.mjs: how the suite's per-scenario checks.json
// files are read, and how a run's results are judged against its expected-failures list.

/** An empty result for one scenario: ids of its failed, passed and warned checks, and each failure's message. */
export function newResult() {
  return { failed: new Set(), passed: new Set(), warned: new Set(), messages: new Map() };
}

/** Adds the checks of one checks.json file (already parsed) to `result`. */
export function recordChecks(result, checks) {
  for (const c of checks) {
    if (c.status === "FAILURE") {
      result.failed.add(c.id);
      result.messages.set(c.id, String(c.errorMessage ?? c.description ?? "").slice(0, 300));
    } else if (c.status === "SUCCESS") result.passed.add(c.id);
    else if (c.status === "WARNING") result.warned.add(c.id);
  }
  return result;
}

/**
 * Compares one run's results (scenario name -> result) with its expectations and prints a summary under `label`.
 * An expectation is a reason (the whole scenario may fail) or `{ checks: { <id>: reason } }` (only those checks
 * may). A listed scenario or check that passes is a problem too, so the list stays honest. Returns the problems
 * found (empty when clean).
 */
export function judge(label, runName, results, expected) {
  const problems = [];
  let passed = 0;
  let expectedFailed = 0;
  for (const [name, { failed, passed: ok, messages }] of results) {
    const why = (ids) => ids.map((id) => `\n      ${id}: ${messages.get(id)}`).join("");
    const entry = Object.hasOwn(expected, name) ? expected[name] : undefined;
    if (entry === undefined) {
      if (failed.size) problems.push(`UNEXPECTED FAILURE: ${name}${why([...failed])}`);
      else passed++;
    } else if (typeof entry === "string") {
      if (failed.size) expectedFailed++;
      else problems.push(`PASSES NOW, remove "${name}" from the ${runName} expectations`);
    } else {
      const allowed = entry.checks ?? {};
      const surprising = [...failed].filter((id) => !Object.hasOwn(allowed, id));
      const stale = Object.keys(allowed).filter((id) => ok.has(id));
      if (surprising.length) problems.push(`UNEXPECTED FAILURE: ${name}${why(surprising)}`);
      for (const id of stale)
        problems.push(`PASSES NOW, remove check "${id}" of "${name}" from the ${runName} expectations`);
      if (!surprising.length) failed.size ? expectedFailed++ : passed++;
    }
  }
  console.log(
    `${label} (${runName}): ${results.size} scenarios, ${passed} passed, ${expectedFailed} with expected failures only, ${problems.length} problems`,
  );
  for (const p of problems) console.log(`  ${p}`);
  // Warnings (a SHOULD done otherwise) do not fail the run; they are shown so nobody mistakes them.
  for (const [name, { warned }] of results)
    if (warned.size) console.log(`  warning: ${name}: ${[...warned].join(", ")}`);
  return problems;
}
