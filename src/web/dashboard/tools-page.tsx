/**
 * @module web/dashboard/tools-page
 * `/dashboard/tools`: the tool browser. A query ranks tools with the search of `search_tools`
 * (src/mcp/catalog-search.ts, hybrid when embeddings are configured); without one, every tool is listed by
 * server. Each tool shows its description, its TypeScript declaration (with the observed output type where the
 * gateway has seen results) and an example call. Paged; everything upstream-controlled is escaped by JSX.
 */
import { Hono } from "hono";
import { page } from "../layout";
import type { WebEnv } from "../web-types";
import { CodeView } from "./code-view";
import { dashboardData, originOf } from "./dashboard-data";
import type { ToolView } from "./dashboard-ops";
import { Badge, DashboardFrame, Pager } from "./dashboard-frame";

const TOOLS_PER_PAGE = 20;
const MAX_QUERY = 500;

function ToolCard(props: { tool: ToolView }) {
  const t = props.tool;
  const full = `${t.server}.${t.name}`;
  return (
    <article class="tool" aria-labelledby={`tool-${full}`}>
      <h3 id={`tool-${full}`}>
        <code>{full}</code> {t.changed ? <Badge status="changed" label="changed since first seen" /> : null}{" "}
        {t.deferred ? <Badge status="deferred" /> : null}
      </h3>
      <p class="summary-text">{t.description || <span class="muted">No description.</span>}</p>
      <p class="muted">
        import from <code>{t.module}</code>
        {t.observed_calls ? ` · output type observed from ${t.observed_calls} results` : ""}
      </p>
      <CodeView code={t.declaration} label={`TypeScript declaration of ${full}`} />
      <details>
        <summary>Example call</summary>
        <CodeView code={t.example} label={`Example call of ${full}`} />
      </details>
    </article>
  );
}

function href(query: string, server: string, offset: number): string {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (server) params.set("server", server);
  if (offset) params.set("offset", String(offset));
  const text = params.toString();
  return text ? `/dashboard/tools?${text}` : "/dashboard/tools";
}

export const toolsPage = new Hono<WebEnv>().get("/", async (c) => {
  const user = c.get("webSession").user;
  const query = (c.req.query("q") ?? "").slice(0, MAX_QUERY);
  const server = c.req.query("server") ?? "";
  const offset = Math.max(0, Math.floor(Number(c.req.query("offset") ?? 0)) || 0);
  const result = await dashboardData.tools(c.env, user, originOf(c), {
    ...(query.trim() ? { query } : {}),
    ...(server ? { server } : {}),
    offset,
    limit: TOOLS_PER_PAGE,
  });
  const shownTo = offset + result.tools.length;
  return page(
    c,
    "Tools",
    <DashboardFrame path="/dashboard/tools" title="Tools">
      <form method="get" action="/dashboard/tools" class="filters">
        <div>
          <label for="q">Search tools</label>
          <input type="search" id="q" name="q" value={query} placeholder="what should the tool do?" />
        </div>
        <div>
          <label for="server">Server</label>
          <select id="server" name="server">
            <option value="">All servers</option>
            {result.servers.map((name) => (
              <option value={name} selected={name === server}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <p role="status">
        {result.total === 0
          ? query
            ? "No tool matches that query. Try other words."
            : "No tools."
          : `${query ? "Best matches" : "Tools"} ${offset + 1}–${shownTo} of ${result.total}.`}
      </p>
      {result.tools.map((t) => (
        <ToolCard tool={t} />
      ))}
      <Pager
        label="Tool pages"
        words={["Previous", "Next"]}
        prev={offset > 0 ? href(query, server, Math.max(0, offset - TOOLS_PER_PAGE)) : undefined}
        next={shownTo < result.total ? href(query, server, shownTo) : undefined}
      />
    </DashboardFrame>,
  );
});
