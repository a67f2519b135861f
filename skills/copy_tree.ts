import { list_directory, read_file, write_file } from "servers/workspace";

/** Copies every file under `from` to the same relative path under `to`. */
export default async function copy_tree(input: { from: string; to: string; overwrite?: boolean }) {
  const from = input.from.replace(/\/+$/, "") || "/";
  const to = input.to.replace(/\/+$/, "") || "/";
  if (to === from || to.startsWith(from === "/" ? "/" : `${from}/`)) {
    throw new Error(`cannot copy ${from} into itself (${to})`);
  }
  const join = (dir: string, name: string) => `${dir === "/" ? "" : dir}/${name}`;
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const { entries } = await list_directory({ path: dir });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.type === "directory") await walk(path);
      else files.push(path);
    }
  };
  await walk(from);

  const existing = new Set<string>();
  if (!input.overwrite) {
    const collect = async (dir: string): Promise<void> => {
      let listing: Awaited<ReturnType<typeof list_directory>>;
      try {
        listing = await list_directory({ path: dir });
      } catch {
        return; // The target does not exist yet: nothing to protect.
      }
      for (const entry of listing.entries) {
        const path = join(dir, entry.name);
        if (entry.type === "directory") await collect(path);
        else existing.add(path);
      }
    };
    await collect(to);
  }

  const copied: string[] = [];
  const skipped: string[] = [];
  await Promise.all(
    files.map(async (file) => {
      const target = to === "/" ? file.slice(from.length) : to + file.slice(from === "/" ? 0 : from.length);
      if (existing.has(target)) {
        skipped.push(target);
        return;
      }
      await write_file({ path: target, content: await read_file({ path: file }) });
      copied.push(target);
    }),
  );
  return { copied: copied.sort(), skipped: skipped.sort() };
}
