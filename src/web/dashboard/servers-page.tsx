/**
 * @module web/dashboard/servers-page
 * `/dashboard`: every server the user can reach, with its status, circuit breaker, last listing and the tools
 * that changed since the gateway first saw them, plus what waits for the user (running executions, approvals).
 * "Refresh" re-lists every server from its upstream, as list_servers({ refresh: true }) does.
 */
import { Hono } from "hono";
import { page } from "../layout";
import { Table } from "../table";
import { csrfToken } from "../web-auth";
import type { WebEnv } from "../web-types";
import { dashboardData, originOf } from "./dashboard-data";
import { Badge, DashboardFrame, Notice, Time } from "./dashboard-frame";
import type { ServerView } from "./dashboard-ops";

function Circuit(props: { server: ServerView }) {
  const c = props.server.circuit;
  if (!c) return <span class="muted">none (in-process)</span>;
  return (
    <>
      <Badge status={c.state} label={c.state.replace("_", " ")} />
      {c.consecutive_failures ? ` ${c.consecutive_failures} consecutive failures` : ""}
      {c.retry_at ? (
        <>
          , next try <Time iso={c.retry_at} />
        </>
      ) : null}
    </>
  );
}

/** The tools the upstream listed that the catalog left out, as list_servers says (count, why, the first few names). */
function Omitted(props: { server: ServerView }) {
  const o = props.server.omitted_tools;
  if (!o) return null;
  return (
    <div class="muted">
      {`Left out: ${o.count} tool${o.count === 1 ? "" : "s"}, ${o.reason}`}
      <ul>
        {o.names.map((name) => (
          <li>
            <code>{name}</code>
          </li>
        ))}
        {o.count > o.names.length ? <li>{`… and ${o.count - o.names.length} more`}</li> : null}
      </ul>
    </div>
  );
}

function ServerRow(props: { server: ServerView }) {
  const s = props.server;
  return (
    <tr>
      <th scope="row">
        <a href={`/dashboard/tools?server=${encodeURIComponent(s.name)}`}>{s.name}</a>
        <div class="muted mono">{s.module}</div>
        {s.url ? <div class="muted mono">{s.url}</div> : null}
      </th>
      <td>{s.scope === "user" ? "yours" : "gateway"}</td>
      <td>
        <Badge status={s.status} />
        {s.auth.type === "none" ? null : (
          <div>
            {`${s.auth.type === "oauth" ? "OAuth" : "headers"}: `}
            <Badge status={s.auth.status} label={s.auth.status.replace("_", " ")} />
          </div>
        )}
        {s.last_error ? <div class="muted">last error: {s.last_error.message}</div> : null}
      </td>
      <td>
        <Circuit server={s} />
      </td>
      <td>
        <Time iso={s.last_refresh} />
      </td>
      <td>
        {String(s.tool_count)}
        <Omitted server={s} />
      </td>
      <td>
        {s.changed_tools.length ? (
          <ul>
            {s.changed_tools.map((t) => (
              <li>
                <Badge status="changed" /> <code>{t}</code>
              </li>
            ))}
          </ul>
        ) : (
          <span class="muted">none</span>
        )}
      </td>
    </tr>
  );
}

export const serversPage = new Hono<WebEnv>()
  .get("/", async (c) => {
    const user = c.get("webSession").user;
    const [servers, approvals, running] = await Promise.all([
      dashboardData.servers(c.env, user, originOf(c)),
      dashboardData.approvals(c.env, user),
      dashboardData.executions(c.env, user, { status: "running" }),
    ]);
    const refreshed = c.req.query("done") === "refreshed";
    return page(
      c,
      "Dashboard",
      <DashboardFrame path="/dashboard" title="Servers">
        {refreshed ? <Notice kind="notice">Every server was listed again.</Notice> : null}
        <p>
          <a href="/dashboard/executions?status=running">{`${running.executions.length}${running.next ? "+" : ""} running`}</a>
          {" · "}
          <a href="/dashboard/approvals">{`${approvals.length} waiting for your approval`}</a>
        </p>
        <Table
          caption="Servers you can reach"
          columns={["Server", "Scope", "Status", "Circuit breaker", "Last refresh", "Tools", "Changed tools"]}
        >
          {servers.map((s) => (
            <ServerRow server={s} />
          ))}
        </Table>
        <p class="muted">
          Add, sign in to and remove your own servers on <a href="/connections">Connections</a>.
        </p>
        <form method="post" action="/dashboard/refresh" class="actions">
          <input type="hidden" name="csrf" value={csrfToken(c)} />
          <button type="submit" class="secondary">
            Refresh all servers
          </button>
        </form>
      </DashboardFrame>,
    );
  })
  .post("/refresh", async (c) => {
    await dashboardData.servers(c.env, c.get("webSession").user, originOf(c), true);
    return c.redirect("/dashboard?done=refreshed", 303);
  });
