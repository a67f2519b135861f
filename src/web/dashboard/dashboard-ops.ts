/**
 * @module web/dashboard/dashboard-ops
 * What the dashboard asks of the gateway's catalog and skill library, answered inside the user's dashboard
 * session object (`<user>:~dashboard`, src/web/dashboard/dashboard-session.ts). That object owns a registry like
 * any session (the same connections, catalog cache, breaker and, once merged, the user's own servers), so the
 * pages see exactly what the agent's code sees, without opening a session of the user's. Replies are plain JSON.
 */
import { toolDeclaration } from "../../codegen/declarations";
import { type SemanticSearch, searchCatalog } from "../../mcp/catalog-search";
import type { OmittedTools } from "../../registry/catalog-build";
import type { CircuitSnapshot } from "../../registry/circuit-breaker";
import type { Catalog, Registry } from "../../registry/registry";
import type { CatalogTool } from "../../registry/registry-types";
import type { ServerEntry } from "../../registry/server-entry";
import type { Checked } from "../../skills/skill-check";
import type { SkillService, SkillSummary } from "../../skills/skill-service";
import type { SkillDrift, SkillVersion } from "../../skills/skill-types";
import type { ObservedTypes } from "../../typecheck/observed-types";
import type { UserAuthView } from "../../user/user-servers";
import { exampleCall } from "./example-call";

/** Most tools on one page of the tool browser. */
export const MAX_TOOLS_PER_PAGE = 50;
const MAX_QUERY_CHARS = 1_000;
/** Ranked hits a search considers (the browser pages through them). */
const MAX_SEARCH_HITS = 200;

export type DashboardRequest =
  | { op: "servers"; refresh?: boolean }
  | { op: "tools"; query?: string; server?: string; offset: number; limit: number }
  | { op: "skills" }
  | { op: "skill"; name: string }
  | { op: "rollback"; name: string; version: number }
  | { op: "delete"; name: string };

export interface ServerView {
  name: string;
  /** `gateway` (GATEWAY_CONFIG) or `user` (added by the user). */
  scope: "gateway" | "user";
  /** How it signs in, and whether it is signed in (as list_servers shows it). */
  auth: UserAuthView;
  module: string;
  url: string;
  status: "ok" | "error";
  tool_count: number;
  last_refresh: string | null;
  last_error: { message: string; at: string | null } | null;
  changed_tools: string[];
  /** Listed by the upstream but left out of the catalog (names over 256 characters), as list_servers says. */
  omitted_tools?: OmittedTools;
  circuit: CircuitSnapshot | null;
  description: string;
}

export interface ToolView {
  server: string;
  name: string;
  module: string;
  description: string;
  declaration: string;
  example: string;
  observed_calls?: number;
  changed: boolean;
  deferred: boolean;
}

export interface ToolPage {
  tools: ToolView[];
  total: number;
  servers: string[];
}

export interface SkillDetail {
  versions: Array<SkillVersion & { drift: SkillDrift[] }>;
}

/** What the operations work with: the dashboard session object's own registry, skills and observed types. */
export interface DashboardDeps {
  registry: Registry;
  skills: SkillService;
  observed: ObservedTypes;
  semantic?: SemanticSearch | undefined;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

function circuitOf(registry: Registry, name: string): CircuitSnapshot | null {
  const conn = registry.connection(name) as { circuit?: { snapshot(): CircuitSnapshot } } | undefined;
  return conn?.circuit?.snapshot() ?? null;
}

/** The stored sign-in status, unless the latest listing says otherwise (list_servers' rule). */
function authOf(s: ServerEntry): UserAuthView {
  if (s.signIn?.kind === "required") return { ...s.auth, status: s.signIn.status };
  if (s.status === "error" && s.auth.status === "connected") return { ...s.auth, status: "error" };
  return s.auth;
}

async function servers(deps: DashboardDeps, refresh: boolean): Promise<ServerView[]> {
  const catalog = await deps.registry.catalog({ refresh });
  return catalog.servers.map((s) => ({
    name: s.name,
    scope: s.scope,
    auth: authOf(s),
    module: `servers/${s.serverId}`,
    url: s.url,
    status: s.status,
    tool_count: s.tools.length,
    last_refresh: iso(s.refreshedAt),
    last_error: s.lastError ? { message: s.lastError.message, at: iso(s.lastError.at) } : null,
    changed_tools: s.changedTools,
    ...(s.omittedTools ? { omitted_tools: s.omittedTools } : {}),
    circuit: circuitOf(deps.registry, s.name),
    description: s.description,
  }));
}

async function tools(deps: DashboardDeps, request: Extract<DashboardRequest, { op: "tools" }>): Promise<ToolPage> {
  const catalog = await deps.registry.catalog();
  const server = request.server ? catalog.byName.get(request.server)?.name : undefined;
  const query = request.query?.trim().slice(0, MAX_QUERY_CHARS);
  const all: CatalogTool[] = query
    ? await searchCatalog(catalog, query, { limit: MAX_SEARCH_HITS, ...(server ? { server } : {}) }, deps.semantic)
    : catalog.tools.filter((t) => server === undefined || t.server === server);
  const limit = Math.min(Math.max(1, Math.floor(request.limit) || 1), MAX_TOOLS_PER_PAGE);
  const offset = Math.max(0, Math.floor(request.offset) || 0);
  const page = all.slice(offset, offset + limit);
  await deps.observed.load(catalog, page);
  return { tools: page.map((t) => toolView(t, deps.observed)), total: all.length, servers: serverNames(catalog) };
}

function serverNames(catalog: Catalog): string[] {
  return catalog.servers.map((s) => s.name);
}

function toolView(tool: CatalogTool, observed: ObservedTypes): ToolView {
  const seen = observed.override(tool);
  return {
    server: tool.server,
    name: tool.id,
    module: `servers/${tool.serverId}`,
    description: tool.description,
    declaration: toolDeclaration(tool, { outputType: () => seen }),
    example: exampleCall(tool),
    ...(seen ? { observed_calls: seen.calls } : {}),
    changed: tool.changed === true,
    deferred: tool.deferred === true,
  };
}

async function skill(deps: DashboardDeps, name: string): Promise<SkillDetail> {
  const list = await deps.skills.versions(name);
  const versions = [];
  for (const { version } of list) {
    const v = await deps.skills.get(name, version);
    if (v) versions.push({ ...v, ...(await deps.skills.review(v)) });
  }
  return { versions };
}

/** What a dashboard request answers (by `op`: servers, tools, skills, skill, rollback and delete). */
export type DashboardReply = ServerView[] | ToolPage | SkillSummary[] | SkillDetail | Checked<unknown>;

/** Answers one dashboard request. */
export async function dashboardOp(request: DashboardRequest, deps: DashboardDeps): Promise<DashboardReply> {
  switch (request.op) {
    case "servers":
      return servers(deps, request.refresh === true);
    case "tools":
      return tools(deps, request);
    case "skills":
      return deps.skills.list();
    case "skill":
      return skill(deps, request.name);
    case "rollback": {
      const saved = await deps.skills.save({ name: request.name, from_version: request.version });
      return saved.ok ? { ok: true, value: { version: saved.value.version } } : saved;
    }
    case "delete":
      return deps.skills.delete(request.name);
  }
}
