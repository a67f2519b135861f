/**
 * What a program may import and export, and the errors that say what to write instead: unknown servers, tools and
 * skill versions (with the closest names, or the newest versions), file-style specifiers, default imports, network
 * modules, dynamic import(), require() and export.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prepareCode } from "../../../src/sandbox/prepare";
import { failure, GUARD, MODULES, prepare } from "./prepare-fixtures";

describe("prepareCode errors", () => {
  it("rejects an unknown server with suggestions and the list of modules", () => {
    const error = failure('import { read_file } from "servers/worksapce";\nawait read_file({});');
    assert.equal(error.kind, "import");
    assert.deepEqual([error.line, error.column], [1, 27]);
    assert.match(error.message, /no such module\. Did you mean "servers\/workspace"\?/);
    assert.match(
      error.message,
      /Modules you can import: gateway, servers\/workspace, servers\/github, skills\/copy_tree/,
    );
  });

  it("says how to write a file-style specifier", () => {
    const error = failure('import { read_file } from "./servers/workspace.js";');
    assert.match(error.message, /write the module name as "servers\/workspace"/);
  });

  it("rejects an unknown tool with did-you-mean and the exports", () => {
    const error = failure('import { readFile } from "servers/workspace";\nawait readFile({});');
    assert.equal(error.kind, "import");
    assert.deepEqual([error.line, error.column], [1, 10]);
    assert.match(error.message, /"servers\/workspace" has no export "readFile"\. Did you mean "read_file"/);
    assert.match(error.message, /Its exports: read_file, write_file, list_directory, search_files, move_file\./);
  });

  it("lists every import problem at once, located at the first", () => {
    const error = failure(
      'import { read_fil } from "servers/workspace";\nimport { stat } from "gateway";\nread_fil(stat);',
    );
    assert.deepEqual([error.line, error.column], [1, 10]);
    assert.match(
      error.message,
      /\^\nOther import problems:\n- line 2: "gateway" has no export "stat"\. Did you mean "state"\?[^\n]*$/,
    );
  });

  it("rejects default imports with the named-import form to use", () => {
    const error = failure('import ws from "servers/workspace";');
    assert.equal(error.kind, "import");
    assert.match(error.message, /Default imports are not supported/);
    assert.match(error.message, /import \{ read_file, write_file \} from "servers\/workspace"/);
    assert.match(error.message, /import \* as ws from "servers\/workspace"/);
  });

  it("refuses imports of network modules with the reason and the way that works", () => {
    for (const specifier of ["cloudflare:sockets", "node:net", "https"]) {
      assert.match(
        failure(`import * as m from "${specifier}";`).message,
        new RegExp(`Cannot import "${specifier}": the sandbox has no network\\. Reach the outside through tools`),
      );
    }
  });

  it("rejects unknown and pinned-but-missing skill versions", () => {
    assert.match(
      failure('import { copy_tree } from "skills/copy_tree@9";').message,
      /^Skill "copy_tree" has no version 9; its versions, newest first: 3, 2, 1\. Import "skills\/copy_tree" for the latest/,
    );
    assert.match(failure('import { copy } from "skills/copy_tre";').message, /Did you mean "skills\/copy_tree"/);
  });

  it("names the newest few versions of a skill with many, and counts the older ones", () => {
    const versions = Array.from({ length: 40 }, (_, i) => i + 1);
    const modules = { ...MODULES, skills: { many: { latest: 40, versions, exports: ["many"] } } };
    const result = prepareCode({ code: 'import { many } from "skills/many@99";', modules, guardName: GUARD });
    assert.equal(result.ok, false);
    assert.match(
      !result.ok ? result.error.message : "",
      /^Skill "many" has no version 99; its versions, newest first: 40, 39, 38, 37, 36, … and 35 older\. /,
    );
  });

  it("rejects dynamic import(), require() and export", () => {
    const dynamic = failure('const m = await import("servers/workspace");');
    assert.equal(dynamic.kind, "import");
    assert.match(dynamic.message, /Dynamic import\(\) is not supported/);
    const req = failure('const fs = require("fs");');
    assert.equal(req.kind, "import");
    assert.match(req.message, /require\(\) is not supported/);
    for (const code of [
      "export const a = 1;",
      "export default 1;",
      'export * from "gateway";',
      "const a = 1;\nexport { a };",
    ]) {
      const error = failure(code);
      assert.equal(error.kind, "syntax");
      assert.match(error.message, /Use `return <value>`/);
    }
    assert.equal(failure("const a = 1;\nexport { a };").line, 2);
    assert.ok(
      prepare("export interface T { a: 1 }\nexport type U = T;\nexport {};\nreturn 1;").ok,
      "type-only exports vanish",
    );
  });
});
