import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stem } from "../../../src/search/stem";
import { synonymsOf } from "../../../src/search/synonyms";

/** Words of one line must share a stem. */
const CONFLATED = [
  ["movie", "movies"],
  ["create", "creates", "created", "creating", "creation", "creator"],
  ["make", "makes", "making"],
  ["query", "queries"],
  ["apply", "applies", "applied"],
  ["city", "cities"],
  ["search", "searches", "searching", "searched"],
  ["run", "running", "runs"],
  ["stop", "stopped", "stopping"],
  ["scan", "scanner", "scanning"],
  ["calculate", "calculator", "calculation", "calculating"],
  ["optimize", "optimization", "optimizing"],
  ["file", "files"],
  ["setting", "settings", "set"],
  ["week", "weekly"],
  ["bus", "buses"],
  ["use", "used", "using", "uses"],
];

/** Words that must keep distinct stems (over-stemming would merge different tools). */
const DISTINCT = [
  ["news", "new"],
  ["general", "generate"],
  ["monitor", "month"],
  ["string", "str"],
  ["family", "fami"],
  ["user", "use"],
];

describe("stem", () => {
  for (const words of CONFLATED) {
    it(`conflates ${words.join(", ")}`, () => {
      const stems = new Set(words.map(stem));
      assert.equal(stems.size, 1, `stems: ${[...stems].join(", ")}`);
    });
  }

  for (const [a, b] of DISTINCT) {
    it(`keeps ${a} and ${b} apart`, () => {
      assert.notEqual(stem(a!), stem(b!));
    });
  }

  it("leaves short, non-ASCII and unknown-shape tokens alone", () => {
    assert.equal(stem("api"), "api");
    assert.equal(stem("创建"), "创建");
    assert.equal(stem("v2"), "v2");
    assert.equal(stem("status"), "status");
    assert.equal(stem("analysis"), "analysis");
  });
});

describe("synonyms", () => {
  it("maps stems to the other members of their groups, both ways", () => {
    assert.ok(synonymsOf(stem("fetch")).includes(stem("retrieve")));
    assert.ok(synonymsOf(stem("retrieve")).includes(stem("fetch")));
    assert.ok(synonymsOf(stem("film")).includes(stem("movie")));
    assert.ok(synonymsOf(stem("remove")).includes(stem("delete")));
  });

  it("never lists a word as its own synonym and has nothing for unknown words", () => {
    assert.ok(!synonymsOf(stem("weather")).includes(stem("weather")));
    assert.deepEqual(synonymsOf("zzzz"), []);
  });
});
