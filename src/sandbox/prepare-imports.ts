/**
 * @module sandbox/prepare-imports
 * Validates the agent's import declarations against what the gateway can provide and rewrites them to names in the
 * Worker Loader modules map (`./servers/<id>.js`, `./gateway.js`, `./skills/<name>@<version>.js`). Errors name the
 * closest real module or export, because the model fixes a typo in one retry when told what exists.
 */
import type { ImportDeclaration } from "acorn";
import { importNeedsTasksError } from "../registry/task-support";
import { didYouMean, formatList, formatVersions, SuggestBudget, suggest } from "./prepare-suggest";
import { MAX_TYPE_NAME_CHARS, MAX_TYPE_NAMES, type TypeImport } from "./prepare-type-imports";

/** What the agent may import: module specifiers as the agent writes them (without `@version`) and their exports. */
export interface ModuleCatalog {
  /** serverId -> tool ids, e.g. `{ workspace: ["read_file", …] }`. */
  servers: Record<string, readonly string[]>;
  /** serverId -> why the server is unavailable (its latest listing failed), as `list_servers` reports it. */
  unavailable?: ReadonlyMap<string, string>;
  /** serverId -> its tools that only run as MCP tasks (src/registry/task-support.ts): importing one is refused. */
  taskOnly?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Exports of `"gateway"`, e.g. `["state", "progress"]`. */
  gateway: readonly string[];
  /** Skill name -> its versions (the host resolves unpinned imports to `latest`) and exports. */
  skills: Record<string, { latest: number; versions: readonly number[]; exports: readonly string[] }>;
}

/** One module the prepared code imports, merged over all import declarations of the same module and version. */
export interface ImportUse {
  kind: "server" | "gateway" | "skill";
  /** The serverId, `"gateway"`, or the skill name. */
  module: string;
  /** The resolved skill version (skills only). */
  version?: number;
  /** Imported export names; a namespace import (`import * as x`) uses every export. */
  names: string[];
  /**
   * Names imported or named from the module for their types only (`ReadFileInput`, not exports): the type check
   * declares the tools of a large server they belong to (src/typecheck/type-named-tools.ts).
   */
  types?: string[];
}

/** A module specifier resolved to a modules-map entry. */
interface ResolvedModule {
  kind: ImportUse["kind"];
  module: string;
  version?: number;
  /** The specifier written into the prepared code, e.g. `./servers/workspace.js`. */
  path: string;
  exports: readonly string[];
}

/** An import problem, located by an offset into the stripped code. */
export interface ImportProblem {
  message: string;
  offset: number;
}

/** The outcome of checking one import declaration. */
export type ImportCheck =
  | { ok: true; resolved: ResolvedModule; names: string[]; types: string[]; hoisted: string }
  | { ok: false; problems: ImportProblem[] };

const hasOwn = (record: object, key: string): boolean => Object.hasOwn(record, key);

/** Longest module specifier or import name an error quotes: they are the agent's text, of any length. */
const MAX_QUOTED_CHARS = 80;

/** A name or specifier as an error quotes it: whole when short, else its start and its length. */
function quoted(text: string): string {
  return text.length > MAX_QUOTED_CHARS
    ? `${text.slice(0, MAX_QUOTED_CHARS)}… (${text.length.toLocaleString("en-US")} characters)`
    : text;
}

/**
 * Adds type names to `into`, each cut to the characters the type check matches (src/typecheck/type-named-tools.ts)
 * and at most MAX_TYPE_NAMES in all: a program may name thousands, each matched against a large server's tools.
 */
function addTypeNames(into: Set<string>, names: Iterable<string>): void {
  for (const name of names) {
    if (into.size >= MAX_TYPE_NAMES) return;
    into.add(name.slice(0, MAX_TYPE_NAME_CHARS));
  }
}

const exportSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** A module's exports as a set, built once per catalog list: 8,000 imports must not each scan 2,000 exports. */
function exportSet(exports: readonly string[]): ReadonlySet<string> {
  let set = exportSets.get(exports);
  if (!set) {
    set = new Set(exports);
    exportSets.set(exports, set);
  }
  return set;
}

const specifierLists = new WeakMap<ModuleCatalog, string[]>();

/** Every specifier the agent may write, for suggestions and for listing what exists (built once per catalog). */
function allSpecifiers(catalog: ModuleCatalog): string[] {
  let list = specifierLists.get(catalog);
  if (!list) {
    list = listSpecifiers(catalog);
    specifierLists.set(catalog, list);
  }
  return list;
}

function listSpecifiers(catalog: ModuleCatalog): string[] {
  return [
    "gateway",
    ...Object.keys(catalog.servers).map((id) => `servers/${id}`),
    ...Object.keys(catalog.skills).map((name) => `skills/${name}`),
  ];
}

/** Resolves a specifier like `servers/workspace`, `gateway`, `skills/copy_tree` or `skills/copy_tree@2`. */
function resolveModule(
  specifier: string,
  catalog: ModuleCatalog,
  budget: SuggestBudget,
): { ok: true; value: ResolvedModule } | string {
  if (specifier === "gateway") {
    return { ok: true, value: { kind: "gateway", module: "gateway", path: "./gateway.js", exports: catalog.gateway } };
  }
  const server = /^servers\/(.+)$/.exec(specifier);
  if (server && hasOwn(catalog.servers, server[1]!)) {
    const id = server[1]!;
    return {
      ok: true,
      value: { kind: "server", module: id, path: `./servers/${id}.js`, exports: catalog.servers[id]! },
    };
  }
  const skill = /^skills\/(.+?)(?:@(\d+))?$/.exec(specifier);
  if (skill && hasOwn(catalog.skills, skill[1]!)) {
    const name = skill[1]!;
    const info = catalog.skills[name]!;
    const version = skill[2] === undefined ? info.latest : Number(skill[2]);
    if (!info.versions.includes(version)) {
      return (
        `Skill "${name}" has no version ${version}; its versions, newest first: ${formatVersions(info.versions)}. ` +
        `Import "skills/${name}" for the latest or "skills/${name}@<version>" to pin one.`
      );
    }
    return {
      ok: true,
      value: { kind: "skill", module: name, version, path: `./skills/${name}@${version}.js`, exports: info.exports },
    };
  }
  const known = allSpecifiers(catalog);
  // Models often write file-style paths ("./servers/workspace.js"); say exactly what to write instead.
  const normalized = specifier.replace(/^(?:\.{1,2}\/)+/, "").replace(/\.(?:[cm]?js|[cm]?ts)$/, "");
  const unversioned = normalized.replace(/@\d+$/, "");
  if (normalized !== specifier && new Set(known).has(unversioned)) {
    return `Cannot import "${quoted(specifier)}": write the module name as "${normalized}".`;
  }
  return (
    `Cannot import "${quoted(specifier)}": no such module.${didYouMean(suggest(unversioned, known, 3, budget))} ` +
    `Modules you can import: ${formatList(known)}.`
  );
}

/** The name an import specifier refers to (`"a-b"` for string names, ES2022). */
function importedName(imported: { type: string; name?: string; value?: unknown }): string {
  return imported.type === "Identifier" ? imported.name! : String(imported.value);
}

/** JavaScript source for an imported name: string names stay quoted. */
function importedSource(imported: { type: string; name?: string; value?: unknown }): string {
  return imported.type === "Identifier" ? imported.name! : JSON.stringify(String(imported.value));
}

/**
 * The error for an import of a name a module does not export. When the server is unavailable, its tool list is
 * empty or stale, so the reason it is down (what `list_servers` says) comes first: "no export" alone would send
 * the model hunting for a tool name instead of at the configuration.
 */
function missingExport(
  specifier: string,
  name: string,
  module: ResolvedModule,
  catalog: ModuleCatalog,
  budget: SuggestBudget,
  exportList = formatList(module.exports),
): string {
  const reason = module.kind === "server" ? catalog.unavailable?.get(module.module) : undefined;
  if (reason === undefined) {
    return (
      `"${specifier}" has no export "${quoted(name)}".${didYouMean(suggest(name, module.exports, 3, budget))} ` +
      `Its exports: ${exportList}.`
    );
  }
  const kept =
    module.exports.length === 0 ? "it has no tools to import" : `the tools it listed before failing: ${exportList}`;
  const what = name === "*" ? "*" : `"${quoted(name)}"`;
  return (
    // The reason is the upstream's words, which often end a sentence already.
    `Cannot import ${what} from "${specifier}": the server is unavailable: ${reason.endsWith(".") ? reason.slice(0, -1) : reason}. ` +
    `Until that is fixed ${kept} (list_servers shows its status).`
  );
}

/**
 * Checks one import declaration and builds its single-line replacement for the prepared module's first line.
 * `isTypeOnly(local)` says whether an unknown name was only used in type positions (stripped away), in which case it
 * is dropped like TypeScript's import elision would, instead of failing. `budget` bounds the "did you mean" work
 * shared by every declaration of one preparation.
 */
export function checkImport(
  decl: ImportDeclaration,
  catalog: ModuleCatalog,
  isTypeOnly: (local: string) => boolean,
  budget: SuggestBudget = new SuggestBudget(),
): ImportCheck {
  const specifier = String(decl.source.value);
  const resolved = resolveModule(specifier, catalog, budget);
  if (typeof resolved === "string") return { ok: false, problems: [{ message: resolved, offset: decl.source.start }] };
  const module = resolved.value;
  const problems: ImportProblem[] = [];
  if (decl.attributes.length > 0) {
    problems.push({
      message: `Import attributes ("with { … }") are not supported.`,
      offset: decl.attributes[0]!.start,
    });
  }
  const names: string[] = [];
  const types = new Set<string>();
  const named: string[] = [];
  let namespace: string | undefined;
  let exportList: string | undefined;
  for (const spec of decl.specifiers) {
    if (spec.type === "ImportDefaultSpecifier") {
      const example = formatList(module.exports.slice(0, 2), 2);
      problems.push({
        message:
          `Default imports are not supported: "${specifier}" has only named exports. Write ` +
          `import { ${example} } from "${specifier}" or import * as ${quoted(spec.local.name)} from "${specifier}".`,
        offset: spec.start,
      });
    } else if (spec.type === "ImportNamespaceSpecifier") {
      if (module.exports.length === 0 && module.kind === "server" && catalog.unavailable?.has(module.module)) {
        problems.push({ message: missingExport(specifier, "*", module, catalog, budget), offset: spec.start });
        continue;
      }
      namespace = spec.local.name;
      names.push(...module.exports);
    } else {
      const name = importedName(spec.imported);
      if (!exportSet(module.exports).has(name)) {
        if (isTypeOnly(spec.local.name)) {
          addTypeNames(types, [name]);
          continue;
        }
        exportList ??= formatList(module.exports);
        problems.push({
          message: missingExport(specifier, name, module, catalog, budget, exportList),
          offset: spec.imported.start,
        });
        continue;
      }
      if (module.kind === "server" && catalog.taskOnly?.get(module.module)?.has(name)) {
        // Only its type was used (stripped): elided like any type-only import. A call could never succeed.
        if (isTypeOnly(spec.local.name)) continue;
        problems.push({ message: importNeedsTasksError(specifier, name), offset: spec.imported.start });
        continue;
      }
      names.push(name);
      const source = importedSource(spec.imported);
      named.push(source === spec.local.name ? source : `${source} as ${spec.local.name}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const from = JSON.stringify(module.path);
  let hoisted = "";
  if (namespace !== undefined) hoisted += `import * as ${namespace} from ${from};`;
  if (named.length > 0) hoisted += `import { ${named.join(", ")} } from ${from};`;
  // A side-effect import (`import "gateway"`) stays; one whose names were all type-only disappears, as in tsc.
  if (decl.specifiers.length === 0) hoisted = `import ${from};`;
  return { ok: true, resolved: module, names: [...new Set(names)], types: [...types], hoisted };
}

/** Merges the modules used by all import declarations (same kind, module and version) in first-seen order. */
export function mergeImports(
  checks: ReadonlyArray<{ resolved: ResolvedModule; names: readonly string[]; types?: readonly string[] }>,
): ImportUse[] {
  const byKey = new Map<string, { use: ImportUse; names: Set<string>; types: Set<string> }>();
  for (const { resolved, names, types = [] } of checks) {
    const key = `${resolved.kind}\0${resolved.module}\0${resolved.version ?? ""}`;
    let entry = byKey.get(key);
    if (!entry) {
      const use: ImportUse = { kind: resolved.kind, module: resolved.module, names: [] };
      if (resolved.version !== undefined) use.version = resolved.version;
      entry = { use, names: new Set(), types: new Set() };
      byKey.set(key, entry);
    }
    for (const name of names) entry.names.add(name);
    addTypeNames(entry.types, types);
  }
  return [...byKey.values()].map(({ use, names, types }) => ({
    ...use,
    names: [...names],
    ...(types.size > 0 ? { types: [...types] } : {}),
  }));
}

/**
 * The modules imported for types only: `checked` (imports whose names were all types) and the servers and gateway
 * of `import type` declarations and inline `type` specifiers (`typeOnly`, which stripping removed before the import
 * check saw them), each with the type names the program imports from it.
 */
export function typeImportUses(
  checked: ImportUse[],
  typeOnly: readonly TypeImport[],
  modules: ModuleCatalog,
): ImportUse[] {
  const uses = [...checked];
  const byModule = new Map(uses.map((u) => [`${u.kind}\0${u.module}`, u]));
  for (const { source, names } of typeOnly) {
    const server = source.startsWith("servers/") ? source.slice("servers/".length) : undefined;
    const use: ImportUse | undefined =
      source === "gateway"
        ? { kind: "gateway", module: "gateway", names: [] }
        : server !== undefined && Object.hasOwn(modules.servers, server)
          ? { kind: "server", module: server, names: [] }
          : undefined;
    if (!use) continue;
    const key = `${use.kind}\0${use.module}`;
    const known = byModule.get(key);
    const target = known ?? use;
    if (names.length > 0) {
      const all = new Set(target.types);
      addTypeNames(all, names);
      target.types = [...all];
    }
    if (!known) {
      byModule.set(key, use);
      uses.push(use);
    }
  }
  return uses;
}
