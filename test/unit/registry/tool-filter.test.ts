import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nameMatcher, toolSelection } from "../../../src/registry/tool-filter";

describe("nameMatcher", () => {
  it("matches exact names only, not substrings", () => {
    const m = nameMatcher(["read_file"]);
    assert.equal(m("read_file"), true);
    assert.equal(m("read_file_v2"), false);
    assert.equal(m("xread_file"), false);
  });

  it("matches `*` as any run of characters, anchored at both ends", () => {
    const m = nameMatcher(["github_*", "*_delete"]);
    assert.equal(m("github_create_issue"), true);
    assert.equal(m("repo_delete"), true);
    assert.equal(m("my_github_tool"), false);
    assert.equal(m("delete_repo"), false);
  });

  it("treats regex characters in patterns literally", () => {
    const m = nameMatcher(["a.b", "c+*"]);
    assert.equal(m("a.b"), true);
    assert.equal(m("axb"), false);
    assert.equal(m("c+d"), true);
    assert.equal(m("ccd"), false);
  });
});

describe("toolSelection", () => {
  it("exposes every tool when no allow or deny list is set", () => {
    const s = toolSelection({ defer_loading: false });
    assert.equal(s.exposed("anything"), true);
    assert.equal(s.deferred("anything"), false);
  });

  it("exposes only allowed tools, and deny wins over allow", () => {
    const s = toolSelection({ tools: { allow: ["fs_*"], deny: ["fs_delete"] }, defer_loading: false });
    assert.deepEqual(
      ["fs_read", "fs_delete", "net_get"].filter((n) => s.exposed(n)),
      ["fs_read"],
    );
  });

  it("defers every tool with defer_loading true", () => {
    const s = toolSelection({ defer_loading: true });
    assert.equal(s.deferred("a"), true);
  });

  it("defers only the listed tools with a defer_loading list", () => {
    const s = toolSelection({ defer_loading: ["rare_*", "huge"] });
    assert.deepEqual(
      ["rare_x", "huge", "common"].filter((n) => s.deferred(n)),
      ["rare_x", "huge"],
    );
  });
});
