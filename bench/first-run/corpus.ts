/**
 * @module bench/first-run/corpus
 * Programs written the way models write them, against the built-in workspace and
 * `@modelcontextprotocol/server-everything` (module `servers/everything`): half correct, half with a mistake
 * models make. Each faulty program names the mistake and what a useful refusal must mention (`fix`); each correct
 * one its expected result. Built from templates with varied names and values, so no two programs are equal.
 */

/** The mistakes of issue 16, item 4. */
export type Mistake =
  | "wrong_argument_name"
  | "wrong_argument_type"
  | "missing_await"
  | "misspelled_tool"
  | "misspelled_server"
  | "wrong_result_property"
  | "forgot_return"
  | "text_result_as_object"
  | "positional_arguments";

export interface CorpusProgram {
  name: string;
  code: string;
  /** Correct programs: the exact result. */
  expect?: unknown;
  /** Faulty programs: the mistake, and what the error must mention to name the fix. */
  mistake?: Mistake;
  fix?: RegExp;
}

const WS = 'import { write_file, read_file, list_directory, delete_file, search_files } from "servers/workspace";';
const EV = 'import { echo, get_sum, get_structured_content } from "servers/everything";';
const CITIES = ["New York", "Chicago", "Los Angeles"] as const;
const WORDS = ["alpha", "bravo", "charlie", "delta", "echo"];

function correct(i: number): CorpusProgram[] {
  const dir = `/fr${i}`;
  const word = WORDS[i % WORDS.length]!;
  const city = CITIES[i % CITIES.length]!;
  return [
    {
      name: `write then read a note (${i})`,
      code: `${WS}\nawait write_file({ path: "${dir}/note.txt", content: "${word}" });\nconst text = await read_file({ path: "${dir}/note.txt" });\nreturn text.length;`,
      expect: word.length,
    },
    {
      name: `list a directory's file names (${i})`,
      code: `${WS}\nawait write_file({ path: "${dir}/a.md", content: "x" });\nawait write_file({ path: "${dir}/b.md", content: "yy" });\nconst listing = await list_directory({ path: "${dir}" });\nreturn listing.entries.filter((e) => e.name.endsWith(".md")).map((e) => e.name).sort();`,
      expect: ["a.md", "b.md"],
    },
    {
      name: `add two numbers with get_sum (${i})`,
      code: `${EV}\nconst answer = await get_sum({ a: ${i}, b: 2 });\nreturn String(answer).includes("${i + 2}");`,
      expect: true,
    },
    {
      name: `echo a message (${i})`,
      code: `${EV}\nconst reply = await echo({ message: "${word} ${i}" });\nreturn typeof reply === "string" && reply.includes("${word} ${i}");`,
      expect: true,
    },
    {
      name: `read structured weather (${i})`,
      code: `${EV}\nconst weather = await get_structured_content({ location: "${city}" });\nreturn typeof weather.temperature === "number" && typeof weather.conditions === "string";`,
      expect: true,
    },
    {
      name: `search for files by pattern (${i})`,
      code: `${WS}\nawait write_file({ path: "${dir}/s/report-${i}.csv", content: "1,2" });\nconst found = await search_files({ path: "${dir}", pattern: "*.csv" });\nreturn found.matches.length;`,
      expect: 1,
    },
    {
      name: `write files in parallel and total the bytes (${i})`,
      code: `${WS}\nconst names: string[] = ["p1", "p2", "p3"];\nconst written = await Promise.all(names.map((n) => write_file({ path: \`${dir}/\${n}.txt\`, content: n.repeat(${(i % 3) + 1}) })));\nreturn written.reduce((sum, w) => sum + w.bytes, 0);`,
      expect: 6 * ((i % 3) + 1),
    },
    {
      name: `plain JavaScript: write and list (${i})`,
      code: `${WS}\nawait write_file({ path: "${dir}/js.txt", content: "js" });\nconst r = await list_directory({ path: "${dir}" });\nconst names = r.entries.map(function (e) { return e.name; });\nreturn names.includes("js.txt");`,
      expect: true,
    },
    {
      name: `delete a file after writing it (${i})`,
      code: `${WS}\nawait write_file({ path: "${dir}/tmp.txt", content: "t" });\nconst gone = await delete_file({ path: "${dir}/tmp.txt" });\nreturn gone.path;`,
      expect: `${dir}/tmp.txt`,
    },
    {
      name: `typed helper over several tools (${i})`,
      code: `${WS}\n${EV}\ninterface Line { n: number; text: string }\nfunction render(lines: Line[]): string { return lines.map((l) => \`\${l.n}: \${l.text}\`).join("\\n"); }\nconst sum = await get_sum({ a: 1, b: ${i} });\nconst lines: Line[] = [{ n: 1, text: String(sum) }, { n: 2, text: "${word}" }];\nawait write_file({ path: "${dir}/out.txt", content: render(lines) });\nreturn (await read_file({ path: "${dir}/out.txt" })).split("\\n").length;`,
      expect: 2,
    },
  ];
}

function faulty(i: number): CorpusProgram[] {
  const dir = `/ff${i}`;
  const word = WORDS[i % WORDS.length]!;
  const all: CorpusProgram[] = [
    {
      name: `content passed as text (${i})`,
      mistake: "wrong_argument_name",
      fix: /'text' does not exist in type 'WriteFileInput'[\s\S]*content: string/,
      code: `${WS}\nawait write_file({ path: "${dir}/a.txt", text: "${word}" });\nreturn "done";`,
    },
    {
      name: `file instead of path (${i})`,
      mistake: "wrong_argument_name",
      fix: /'file' does not exist in type 'ReadFileInput'[\s\S]*path: string/,
      code: `${WS}\nconst t = await read_file({ file: "${dir}/a.txt" });\nreturn t;`,
    },
    {
      name: `numbers passed as strings (${i})`,
      mistake: "wrong_argument_type",
      fix: /Type 'string' is not assignable to type 'number'/,
      code: `${EV}\nconst s = await get_sum({ a: "${i}", b: "2" });\nreturn s;`,
    },
    {
      name: `content passed as an object (${i})`,
      mistake: "wrong_argument_type",
      fix: /not assignable to type 'string'/,
      code: `${WS}\nawait write_file({ path: "${dir}/o.json", content: { n: ${i} } });\nreturn 1;`,
    },
    {
      name: `listing read without await (${i})`,
      mistake: "missing_await",
      fix: /await/,
      code: `${WS}\nconst listing = list_directory({ path: "/" });\nreturn listing.entries.length;`,
    },
    {
      name: `weather read without await (${i})`,
      mistake: "missing_await",
      fix: /await/,
      code: `${EV}\nconst w = get_structured_content({ location: "Chicago" });\nreturn w.temperature;`,
    },
    {
      name: `misspelled tool (${i})`,
      mistake: "misspelled_tool",
      fix: /read_file/,
      code: `import { read_fil } from "servers/workspace";\nreturn await read_fil({ path: "${dir}/a.txt" });`,
    },
    {
      name: `misspelled server (${i})`,
      mistake: "misspelled_server",
      fix: /servers\/workspace/,
      code: `import { list_directory } from "servers/workspce";\nreturn await list_directory({ path: "/" });`,
    },
    {
      name: `files instead of entries (${i})`,
      mistake: "wrong_result_property",
      fix: /'files' does not exist[\s\S]*entries/,
      code: `${WS}\nconst listing = await list_directory({ path: "/" });\nreturn listing.files.length;`,
    },
    {
      name: `temp instead of temperature (${i})`,
      mistake: "wrong_result_property",
      fix: /'temp' does not exist[\s\S]*temperature/,
      code: `${EV}\nconst w = await get_structured_content({ location: "New York" });\nreturn w.temp;`,
    },
    {
      name: `result computed but not returned (${i})`,
      mistake: "forgot_return",
      fix: /return/,
      code: `${WS}\nconst listing = await list_directory({ path: "/" });\nconst count = listing.entries.length + ${i};\ncount;`,
    },
    {
      name: `text result read as an object (${i})`,
      mistake: "text_result_as_object",
      fix: /'(result|value|sum)' does not exist on type 'string'/,
      code: `${EV}\nconst s = await get_sum({ a: ${i}, b: 1 });\nreturn s.${["result", "value", "sum"][i % 3]};`,
    },
    {
      name: `file text read as an object (${i})`,
      mistake: "text_result_as_object",
      fix: /'content' does not exist on type 'string'/,
      code: `${WS}\nconst f = await read_file({ path: "/fr${i}/note.txt" });\nreturn f.content;`,
    },
    {
      name: `positional path (${i})`,
      mistake: "positional_arguments",
      fix: /ReadFileInput[\s\S]*path: string/,
      code: `${WS}\nreturn await read_file("/fr${i}/note.txt");`,
    },
    {
      name: `positional sum (${i})`,
      mistake: "positional_arguments",
      fix: /Expected 1 arguments, but got 2|GetSumInput/,
      code: `${EV}\nreturn await get_sum(${i}, 2);`,
    },
  ];
  return all;
}

/** The corpus: 50 correct and 50 faulty programs (each faulty template three or four times, every mistake). */
export function firstRunCorpus(): CorpusProgram[] {
  const good = [0, 1, 2, 3, 4].flatMap(correct);
  const rounds = [0, 1, 2, 3].map(faulty);
  // Round-robin over templates, so cutting at 50 keeps every template at least three times.
  const byTemplate = rounds[0]!.map((_, t) => rounds.map((r) => r[t]!));
  const interleaved = [0, 1, 2, 3].flatMap((k) => byTemplate.map((programs) => programs[k]!));
  return [...good, ...interleaved.slice(0, 50)];
}
