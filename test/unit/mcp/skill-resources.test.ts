import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { skillEntry } from "@modelcontextprotocol/server/ext/skills";
import { sepSkillName, skillMarkdown } from "../../../src/mcp/skill-resources";
import type { SkillVersion } from "../../../src/skills/skill-types";

describe("SEP-2640 skill names", () => {
  it("maps _ to -, collapses repeats and trims the ends", () => {
    assert.equal(sepSkillName("copy_tree"), "copy-tree");
    assert.equal(sepSkillName("__count__words__"), "count-words");
    assert.equal(sepSkillName("a1_b2"), "a1-b2");
  });
});

describe("SKILL.md", () => {
  const skill: SkillVersion = {
    name: "copy_tree",
    version: 2,
    description: "Copies a tree\nof files",
    code: "export async function copy_tree() { return '```'; }",
    input_schema: { type: "object", properties: { from: { type: "string" } } },
    tags: [],
    uses: [],
  };

  it("is a valid skill entry carrying description, schema, import example and code", async () => {
    const text = skillMarkdown(skill, "copy-tree");
    const entry = await skillEntry("copy-tree", { "SKILL.md": text });
    assert.equal(entry.uri, "skill://copy-tree/SKILL.md");
    assert.match(text, /description: "Copies a tree of files"/);
    assert.match(text, /"from": \{/);
    assert.match(text, /import \{ copy_tree \} from "skills\/copy_tree"/);
    // The code holds a ``` run, so its fence is longer.
    assert.match(text, /````ts\nexport async function copy_tree/);
  });
});
