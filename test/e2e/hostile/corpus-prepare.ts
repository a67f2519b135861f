/**
 * Preparation of hostile programs: the session object strips, parses and checks the code before anything runs, on
 * the thread every session of the object shares, so its work must stay linear in the code's size. Large programs
 * full of unknown imports, declarations, long names and regex literals are answered at once.
 */
import assert from "node:assert/strict";
import { type Execution, fails, returns, type Sample } from "./sample";

const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}_${i}_abcdefgh`);

/** Pads a program with constant declarations up to about 240 KB. */
function padded(head: string, tail = "return 1;"): string {
  let code = head;
  for (let i = 0; code.length < 240_000; i++) code += `const x${i} = ${i};\n`;
  return code + tail;
}

const quick = (r: Execution) => assert.ok(r.duration_ms < 2_000, `took ${r.duration_ms} ms`);

export const prepareSamples: Sample[] = [
  {
    name: "240 KB with 8,000 unknown imports is refused at once, listing 20 problems and counting the rest",
    class: "prepare",
    code: padded(`import { ${names(8_000, "unknown").join(", ")} } from 'servers/workspace';\n`),
    expect: (r) => {
      fails(
        "import",
        /^"servers\/workspace" has no export "unknown_0_abcdefgh"\.[\s\S]*\n- … and 7980 more import problems/,
      )(r);
      assert.equal(r.error!.message.match(/\n- line \d+: /g)?.length, 19);
    },
  },
  {
    name: "4,000 imports of unknown modules are refused at once",
    class: "prepare",
    code: padded(
      names(4_000, "m")
        .map((m, i) => `import { a${i} } from 'servers/${m}';\n`)
        .join(""),
    ),
    expect: fails(
      "import",
      /^Cannot import "servers\/m_0_abcdefgh": no such module\.[\s\S]*and 3980 more import problems/,
    ),
  },
  {
    name: "24,000 declarations in one scope prepare and run",
    class: "prepare",
    code: padded("", "return x100 + x200;"),
    expect: (r) => {
      returns(300)(r);
      quick(r);
    },
  },
  {
    name: "an import name of 100,000 characters is refused without comparing it whole",
    class: "prepare",
    code: `import { ${"x".repeat(100_000)} } from 'servers/workspace';\nreturn 1;`,
    expect: fails("import", /has no export "x{80}… \(100,000 characters\)"/),
  },
  {
    name: "5,000 regex literals are planned in linear time",
    class: "prepare",
    code: `let n = 0;\n${Array.from({ length: 5_000 }, (_, i) => `if (/^(a+)+${i}$/.test('a${i}')) n++;`).join("\n")}\nreturn n;`,
    expect: returns(5_000),
  },
];
