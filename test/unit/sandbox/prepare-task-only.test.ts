/**
 * A program that imports a tool the gateway cannot call (it runs only as an MCP task, src/registry/task-support.ts)
 * is refused when it is prepared, before an isolate runs, with the tool and the reason named.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prepareCode } from "../../../src/sandbox/prepare";
import type { PrepareInput } from "../../../src/sandbox/prepare-types";
import { GUARD, MODULES } from "./prepare-fixtures";

const modules: PrepareInput["modules"] = {
  ...MODULES,
  taskOnly: new Map([["github", new Set(["get_pull_request"])]]),
};

const prepare = (code: string) => prepareCode({ code, modules, guardName: GUARD });

function failure(code: string) {
  const result = prepare(code);
  assert.equal(result.ok, false, "expected the preparation to fail");
  if (result.ok) throw new Error("unreachable");
  return result.error;
}

describe("importing a tool that needs MCP tasks", () => {
  it("is refused at the import, naming the tool and why", () => {
    const error = failure(
      'import { list_issues, get_pull_request } from "servers/github";\nreturn await get_pull_request({ number: 1 });',
    );
    assert.equal(error.kind, "import");
    assert.deepEqual([error.line, error.column], [1, 23]);
    assert.match(
      error.message,
      /^Cannot import "get_pull_request" from "servers\/github": the tool cannot be called through the gateway: it needs MCP tasks, which the gateway does not support yet \(the upstream declares execution\.taskSupport "required" and refuses plain calls\)\. Leave it out of the program\./,
    );
  });

  it("is refused under another local name too", () => {
    const error = failure('import { get_pull_request as pr } from "servers/github";\nawait pr({ number: 1 });');
    assert.match(error.message, /^Cannot import "get_pull_request" from "servers\/github"/);
  });

  it("is reported with the other import problems at once", () => {
    const error = failure(
      'import { get_pull_request } from "servers/github";\nimport { nope } from "servers/workspace";',
    );
    assert.match(error.message, /Other import problems:\n- line 2: "servers\/workspace" has no export "nope"/);
  });

  it("leaves the server's other tools, and the same name on another server, importable", () => {
    const result = prepare(
      'import { list_issues, create_issue } from "servers/github";\nimport { read_file } from "servers/workspace";\nreturn 1;',
    );
    assert.equal(result.ok, true);
  });

  it("is elided when only its type is used, like any type-only import", () => {
    const result = prepare(
      'import { get_pull_request, list_issues } from "servers/github";\nlet f: typeof get_pull_request | undefined;\nreturn await list_issues({});',
    );
    assert.equal(result.ok, true, result.ok ? "" : result.error.message);
    if (result.ok) assert.doesNotMatch(result.code, /get_pull_request/);
  });

  it("through a namespace import is left to the call (which the bridge refuses): the import itself is fine", () => {
    const result = prepare('import * as gh from "servers/github";\nreturn await gh.list_issues({});');
    assert.equal(result.ok, true);
  });
});

describe("a carried import of a tool that needs MCP tasks (it became one since)", () => {
  it("is dropped with the reason, and the program runs without it", () => {
    const carried = {
      values: [],
      declarations: [],
      imports: [{ local: "pr", imported: "get_pull_request", source: "servers/github" }],
    };
    const result = prepareCode({ code: "return typeof pr;", modules, guardName: GUARD, carried });
    assert.equal(result.ok, true, result.ok ? "" : result.error.message);
    if (!result.ok) return;
    assert.deepEqual(result.scope?.dropped, [
      {
        name: "pr",
        reason:
          'its import was dropped: "get_pull_request" of servers/github cannot be called: it needs MCP tasks, which the gateway does not support yet',
      },
    ]);
  });
});
