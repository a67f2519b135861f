/**
 * Catch clauses charge the step budget CATCH_STEPS at a time: catching an exception (above all a stack overflow)
 * costs thousands of loop steps, and `function f() { try { f() } catch { f() } }` would otherwise run for minutes
 * under a step budget sized for loops.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CATCH_STEPS } from "../../../src/sandbox/prepare-walk";
import { GUARD, prepared } from "./prepare-fixtures";

test("every catch body starts with a weighted guard call, and line numbers hold", () => {
  const out = prepared("try {\n  a();\n} catch (e) {\n  b();\n}\ntry { c(); } catch { }");
  const weighted = `${GUARD}(${CATCH_STEPS});`;
  assert.equal(out.split(weighted).length - 1, 2);
  const lines = out.split("\n");
  assert.match(lines[2]!, new RegExp(`^\\} catch \\(e\\) \\{${weighted.replace(/[()]/g, "\\$&")}$`));
  assert.match(lines[5]!, /catch \{__cg_step_3f9a1c\(100\); \}/);
});
