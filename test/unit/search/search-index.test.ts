import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSearchIndex, type SearchDoc, type SearchIndex, toSearchDoc } from "../../../src/search/index";

const object = (properties: Record<string, unknown>) => ({ type: "object", properties });

/** A small catalog over three servers, with siblings that differ only by verb or object. */
const TOOLS = [
  {
    server: "weather",
    name: "get_current_weather",
    description: "Get the current weather conditions for a city.",
    inputSchema: object({
      city: { type: "string", description: "City name" },
      units: { enum: ["metric", "imperial"] },
    }),
  },
  {
    server: "weather",
    name: "get_forecast",
    description: "Retrieve the weather forecast for the next days.",
    inputSchema: object({ city: { type: "string" }, days: { type: "integer", description: "Number of days" } }),
  },
  {
    server: "github",
    name: "create_issue",
    description: "Create a new issue in a GitHub repository.",
    inputSchema: object({ repo: { type: "string" }, title: { type: "string" }, body: { type: "string" } }),
  },
  {
    server: "github",
    name: "list_issues",
    description: "List issues in a repository, filtered by state.",
    inputSchema: object({ repo: { type: "string" }, state: { type: "string", enum: ["open", "closed"] } }),
  },
  {
    server: "github",
    name: "delete_branch",
    description: "Delete a branch from a repository.",
    inputSchema: object({ repo: { type: "string" }, branch: { type: "string" } }),
  },
  {
    server: "files",
    name: "readFile",
    description: "Read the contents of a file at a path.",
    inputSchema: object({ path: { type: "string" } }),
  },
  {
    server: "files",
    name: "writeFile",
    description: "Write text to a file, replacing its contents.",
    inputSchema: object({ path: { type: "string" }, content: { type: "string" } }),
  },
  {
    server: "files",
    name: "search-files",
    description: "Search files by name pattern under a directory.",
    inputSchema: object({ directory: { type: "string" }, pattern: { type: "string", description: "Glob, e.g. *.ts" } }),
  },
];

const docs: SearchDoc[] = TOOLS.map((t) => toSearchDoc({ key: `${t.server}/${t.name}`, ...t }));
const index = buildSearchIndex(docs);
const keys = (ix: SearchIndex, query: string, limit = 5) => ix.search(query, { limit }).hits.map((h) => h.key);

describe("buildSearchIndex: ranking", () => {
  it("reports its size", () => {
    assert.equal(index.size, TOOLS.length);
  });

  const cases: Array<[string, string[]]> = [
    ["what's the weather forecast for Paris tomorrow", ["weather/get_forecast", "weather/get_current_weather"]],
    ["weather", ["weather/get_current_weather", "weather/get_forecast"]],
    ["open a new bug report issue on github", ["github/create_issue", "github/list_issues", "github/delete_branch"]],
    ["show me the open issues", ["github/list_issues", "github/create_issue"]],
    // "remove" reaches delete_branch only through the synonym table.
    ["remove the feature branch", ["github/delete_branch"]],
    // camelCase name split, "fetch" ~ "read"/"get" through synonyms.
    [
      "fetch the contents of config.json",
      ["files/readFile", "files/writeFile", "weather/get_current_weather", "weather/get_forecast"],
    ],
    ["find all typescript files in the src directory", ["files/search-files", "files/readFile", "files/writeFile"]],
    ["save text to notes.txt", ["files/writeFile"]],
  ];
  for (const [query, expected] of cases) {
    it(`ranks ${JSON.stringify(query)}`, () => {
      assert.deepEqual(keys(index, query), expected);
    });
  }

  it("returns scores best first", () => {
    const { hits } = index.search("weather forecast");
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
  });

  it("matches parameter names, descriptions and enum values", () => {
    assert.deepEqual(keys(index, "imperial units", 1), ["weather/get_current_weather"]);
    assert.deepEqual(keys(index, "glob pattern", 1), ["files/search-files"]);
  });

  it("matches the server name", () => {
    assert.equal(keys(index, "github", 1)[0]?.startsWith("github/"), true);
  });
});

describe("buildSearchIndex: abstention", () => {
  for (const query of ["recipe for chocolate cake", "please help me", "", "   ", "12345", "the of and"]) {
    it(`abstains on ${JSON.stringify(query)}`, () => {
      assert.deepEqual(index.search(query), { hits: [], abstained: true });
    });
  }

  it("does not abstain when a query has a real match", () => {
    assert.equal(index.search("delete branch").abstained, false);
  });

  it("abstains on an empty index", () => {
    const empty = buildSearchIndex([]);
    assert.equal(empty.size, 0);
    assert.deepEqual(empty.search("weather"), { hits: [], abstained: true });
  });
});

describe("buildSearchIndex: options", () => {
  it("applies the limit (default 10)", () => {
    assert.equal(index.search("file", { limit: 1 }).hits.length, 1);
    assert.deepEqual(index.search("file", { limit: 0 }), { hits: [], abstained: false });
    const many = buildSearchIndex(
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, kind: "tool" as const, server: "s", name: `report_${i}` })),
    );
    assert.equal(many.search("report").hits.length, 10);
  });

  it("filters before limiting, and abstains when the filter leaves nothing", () => {
    const onlyFiles = (key: string) => key.startsWith("files/");
    assert.deepEqual(
      index.search("fetch the contents of config.json", { filter: onlyFiles }).hits.map((h) => h.key),
      ["files/readFile", "files/writeFile"],
    );
    assert.deepEqual(index.search("weather", { filter: onlyFiles }), { hits: [], abstained: true });
  });

  it("keeps catalog order between tools with equal scores", () => {
    const twins = buildSearchIndex([
      { key: "b", kind: "tool", server: "s", name: "send_email", description: "Send an email." },
      { key: "a", kind: "tool", server: "s", name: "send_email", description: "Send an email." },
    ]);
    assert.deepEqual(
      twins.search("send email").hits.map((h) => h.key),
      ["b", "a"],
    );
  });

  it("gives the same answer to the same query every time", () => {
    const first = index.search("list github issues");
    index.search("something else entirely about weather");
    assert.deepEqual(index.search("list github issues"), first);
  });
});

describe("buildSearchIndex: 10,000 tools", () => {
  /** Server names made of letters only: digits are values to the tokenizer, so "service42" would lose its number. */
  const serverName = (n: number) => `srv${String.fromCharCode(97 + Math.floor(n / 26), 97 + (n % 26))}`;
  const VERBS = ["list", "get", "create", "update", "delete", "search", "archive", "export"];
  const OBJECTS = ["issue", "invoice", "customer", "message", "channel", "file", "deployment", "ticket", "order"];
  const docs: SearchDoc[] = [];
  for (let s = 0; docs.length < 10_000; s++) {
    for (const verb of VERBS) {
      for (const obj of OBJECTS) {
        if (docs.length === 10_000) break;
        const server = serverName(s);
        docs.push(
          toSearchDoc({
            key: `${server}/${verb}_${obj}`,
            server,
            serverDescription: `Synthetic service ${server}`,
            name: `${verb}_${obj}`,
            description: `${verb} ${obj} records in ${server}.`,
            inputSchema: object({ [`${obj}_id`]: { type: "string", description: `Id of the ${obj}` } }),
          }),
        );
      }
    }
  }
  const big = buildSearchIndex(docs);

  it("indexes every tool", () => {
    assert.equal(big.size, 10_000);
  });

  it("finds the tool of a named server among thousands of siblings", () => {
    const hits = big.search(`delete invoice in ${serverName(42)}`, { limit: 3 }).hits;
    assert.equal(hits[0]?.key, `${serverName(42)}/delete_invoice`);
  });

  it("returns sibling tools for a request made only of common words", () => {
    const result = big.search("remove the ticket", { limit: 5 });
    assert.equal(result.abstained, false);
    assert.equal(result.hits.length, 5);
    for (const hit of result.hits) assert.match(hit.key, /\/delete_ticket$/);
  });

  it("still abstains on an unrelated request", () => {
    assert.equal(big.search("recipe for chocolate cake").abstained, true);
  });
});
