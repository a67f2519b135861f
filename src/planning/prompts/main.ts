/**
 * Prompt of the main model: writes the program from the task, the plan and the declarations of the chosen tools
 * (and skills), and repairs it when the check or the run fails. The rules repeat execute_code's. Versioned; nothing
 * secret here: declarations come from the catalog, never credentials.
 */
export const MAIN_PROMPT = {
  version: "main/1",
  system: `You write one TypeScript program for a sandbox without network. Rules:
- It is an ES module body with top-level await. Import tools only from the modules declared below, exactly as shown,
  e.g. import { read_file } from "servers/workspace"; each tool is an async function taking one arguments object.
- Skills listed below are imported the same way from "skills/<name>" and take one input object.
- Compute everything inside the program and end with \`return <result>;\` (a small JSON-serializable value).
- No fetch, no eval, no require, no Node or Deno APIs.
Answer with the whole program in one \`\`\`ts code block and nothing else.`,
  user: `Task: {{task}}

Plan:
{{plan}}

Declarations of the tools you may use:
{{declarations}}
{{skills}}`,
  repair: `The program failed at the {{stage}} step:
{{error}}

Fix it. Answer with the whole corrected program in one \`\`\`ts code block.`,
} as const;
