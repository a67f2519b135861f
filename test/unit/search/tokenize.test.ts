import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze, analyzeQuery } from "../../../src/search/analyze";
import { foldAccents, tokenize } from "../../../src/search/tokenize";

describe("tokenize", () => {
  it("splits snake_case, kebab-case, dotted and camelCase identifiers", () => {
    assert.deepEqual(tokenize("get_current_weather"), ["get", "current", "weather"]);
    assert.deepEqual(tokenize("search-files"), ["search", "files"]);
    assert.deepEqual(tokenize("ChaDri.change_drink"), ["cha", "dri", "change", "drink"]);
    assert.deepEqual(tokenize("getUserById"), ["get", "user", "by", "id"]);
    assert.deepEqual(tokenize("OpenWeatherMap"), ["open", "weather", "map"]);
  });

  it("splits acronyms from the following word", () => {
    assert.deepEqual(tokenize("XMLHttpRequest"), ["xml", "http", "request"]);
    assert.deepEqual(tokenize("getHTTPResponse"), ["get", "http", "response"]);
    assert.deepEqual(tokenize("ABC"), ["abc"]);
  });

  it("splits a number from a long word but keeps short names like v2 or mp3 whole", () => {
    assert.deepEqual(tokenize("uber.ride2"), ["uber", "ride"]);
    assert.deepEqual(tokenize("base64 encode"), ["base", "encode"]);
    assert.deepEqual(tokenize("get_configs_v2 mp3 s3 3D"), ["get", "configs", "v2", "mp3", "s3", "3d"]);
    assert.deepEqual(tokenize("getV2Data"), ["get", "v2", "data"]);
  });

  it("drops pure numbers and single letters", () => {
    assert.deepEqual(tokenize("add 2 and 3, then x"), ["add", "and", "then"]);
  });

  it("folds Latin accents and joins apostrophes inside words", () => {
    assert.equal(foldAccents("Tìm chuyến xe đi Hà Nội"), "Tim chuyen xe di Ha Noi");
    assert.deepEqual(tokenize("Ändere café"), ["andere", "cafe"]);
    assert.deepEqual(tokenize("the website's status, don’t 'quote'"), ["the", "websites", "status", "dont", "quote"]);
  });

  it("cuts CJK runs into bigrams and keeps Hangul words", () => {
    assert.deepEqual(tokenize("创建workspace"), ["创建", "workspace"]);
    assert.deepEqual(tokenize("天气预报"), ["天气", "气预", "预报"]);
    assert.deepEqual(tokenize("스테이크 만드는"), ["스테이크", "만드는"]);
  });

  it("returns nothing for empty or separator-only text", () => {
    assert.deepEqual(tokenize(""), []);
    assert.deepEqual(tokenize(" -_./ "), []);
  });
});

describe("analyze", () => {
  it("removes stop-words and stems", () => {
    assert.deepEqual(analyze("Retrieves the list of all files in a folder"), ["retriev", "list", "fil", "fold"]);
  });
});

describe("analyzeQuery", () => {
  const options = { fillerWeight: 0.3, synonymWeight: 0.5 };

  it("weights filler words low and expands content words with synonyms", () => {
    const q = analyzeQuery("Could you please fetch the weather?", options);
    assert.deepEqual(q.words, ["pleas", "fetch", "weath"]);
    assert.deepEqual(q.wordWeights, [0.3, 1, 1]);
    assert.deepEqual(q.wordFiller, [true, false, false]);
    const forecast = q.terms.find((t) => t.term === "forecast");
    assert.deepEqual(forecast, { term: "forecast", weight: 0.5, group: 2, synonym: true });
    const retrieve = q.terms.find((t) => t.term === "retriev");
    assert.equal(retrieve?.group, 1);
    // Filler does not expand.
    assert.ok(!q.terms.some((t) => t.group === 0 && t.synonym));
  });

  it("builds bigrams from adjacent content words only", () => {
    const q = analyzeQuery("please show the weather forecast", options);
    assert.deepEqual(q.bigrams, [
      ["show", "weath"],
      ["weath", "forecast"],
    ]);
  });

  it("gives repeated words a bounded boost", () => {
    const q = analyzeQuery("movie movie movie movie", options);
    assert.deepEqual(q.words, ["movi"]);
    assert.deepEqual(q.wordWeights, [1.5]);
  });
});
