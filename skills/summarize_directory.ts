import { list_directory } from "servers/workspace";

/** Counts files, directories and bytes under `path`, by extension, with the largest files. */
export default async function summarize_directory(input: { path: string; largest?: number }) {
  const root = input.path.replace(/\/+$/, "") || "/";
  const byExtension: Record<string, { files: number; bytes: number }> = {};
  const all: Array<{ path: string; bytes: number }> = [];
  let directories = 0;
  const walk = async (dir: string): Promise<void> => {
    const { entries } = await list_directory({ path: dir });
    const subdirs: string[] = [];
    for (const entry of entries) {
      const path = `${dir === "/" ? "" : dir}/${entry.name}`;
      if (entry.type === "directory") {
        directories++;
        subdirs.push(path);
        continue;
      }
      const bytes = entry.size ?? 0;
      const dot = entry.name.lastIndexOf(".");
      const ext = dot > 0 ? entry.name.slice(dot + 1).toLowerCase() : "(none)";
      byExtension[ext] ??= { files: 0, bytes: 0 };
      const bucket = byExtension[ext]!;
      bucket.files++;
      bucket.bytes += bytes;
      all.push({ path, bytes });
    }
    await Promise.all(subdirs.map(walk));
  };
  await walk(root);
  all.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  return {
    path: root,
    files: all.length,
    directories,
    total_bytes: all.reduce((n, f) => n + f.bytes, 0),
    by_extension: byExtension,
    largest: all.slice(0, input.largest ?? 5),
  };
}
