import { read_file, search_files, write_file } from "servers/workspace";

/** Replaces text in every file under `path` whose name matches `pattern`; `dry_run` only reports. */
export default async function find_replace(input: {
  path: string;
  find: string;
  replace: string;
  pattern?: string;
  regex?: boolean;
  dry_run?: boolean;
}) {
  if (input.find === "") throw new Error("find must not be empty");
  const matcher = input.regex
    ? new RegExp(input.find, "g")
    : new RegExp(input.find.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g");
  const { matches } = await search_files({ path: input.path, pattern: input.pattern ?? "**" });
  const changed: Array<{ path: string; replacements: number }> = [];
  for (const file of matches) {
    const text = await read_file({ path: file });
    let count = 0;
    const next = text.replace(matcher, (...args) => {
      count++;
      return input.regex ? args[0].replace(new RegExp(input.find), input.replace) : input.replace;
    });
    if (count === 0) continue;
    if (!input.dry_run) await write_file({ path: file, content: next });
    changed.push({ path: file, replacements: count });
  }
  return {
    files_scanned: matches.length,
    changed,
    total_replacements: changed.reduce((n, c) => n + c.replacements, 0),
    dry_run: input.dry_run === true,
  };
}
