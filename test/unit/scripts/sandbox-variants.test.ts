/**
 * The bench's experiments (bench/isolate-split.ts, bench/run-split.ts, the hop profile) time the sandbox with one part cut out, by
 * editing a module's source (bench/lib/sandbox-variants.ts). An edit whose text the module no longer has stops the
 * experiment; this keeps every named edit in step with worker-loader/, where a change would otherwise go unnoticed
 * until someone runs the experiment.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ANSWER_AFTER_CONFIGURE,
  editedSandboxModules,
  METER_BUILTINS,
  NO_BUILTIN_GUARDS,
  NO_REJECTION_TURN,
  RUN_CUTS,
} from "../../../bench/lib/sandbox-variants";

test("every edit the bench's experiments make still applies to the sandbox's sources", () => {
  const sets = {
    ANSWER_AFTER_CONFIGURE: [ANSWER_AFTER_CONFIGURE],
    NO_BUILTIN_GUARDS,
    NO_REJECTION_TURN: [NO_REJECTION_TURN],
    METER_BUILTINS: [["runtime.js", METER_BUILTINS, ""] as [string, string, string]],
    ...Object.fromEntries(Object.entries(RUN_CUTS).map(([name, edit]) => [name, [edit]])),
  };
  for (const [name, edits] of Object.entries(sets)) {
    const modules = editedSandboxModules(edits);
    for (const [module] of edits) assert.ok(modules[module], `${name}: ${module} edited`);
  }
  assert.throws(() => editedSandboxModules([["runtime.js", "no such text in the module", ""]]), /no longer has/);
});
