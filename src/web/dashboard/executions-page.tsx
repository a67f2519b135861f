/**
 * @module web/dashboard/executions-page
 * `/dashboard/executions`: the user's executions from every session and context, newest first, filterable by
 * status and paged by cursor (the history holds up to 1,000; a page reads 25). Running ones are listed from their
 * start and update themselves through the progressive script (src/web/dashboard/dashboard-assets.ts).
 */
import { Hono } from "hono";
import type { ExecutionStatus, ExecutionSummary } from "../../user/user-types";
import { page } from "../layout";
import { Table } from "../table";
import type { WebEnv } from "../web-types";
import { dashboardData } from "./dashboard-data";
import { Badge, DashboardFrame, Pager, Time } from "./dashboard-frame";

export const STATUSES: ReadonlyArray<{ value: ExecutionStatus; label: string }> = [
  { value: "running", label: "Running" },
  { value: "ok", label: "Succeeded" },
  { value: "error", label: "Failed" },
  { value: "approval_required", label: "Waiting for approval" },
  { value: "approved", label: "Approved (re-run)" },
  { value: "denied", label: "Denied" },
  { value: "cancelled", label: "Cancelled (denied or by the client)" },
  { value: "lost", label: "Lost (session stopped)" },
];

/** The status of a summary (records made before statuses were stored are ok or error). */
export function statusOfSummary(e: Pick<ExecutionSummary, "status" | "ok">): ExecutionStatus {
  return e.status ?? (e.ok ? "ok" : "error");
}

function parseStatus(value: string | undefined): ExecutionStatus | undefined {
  return STATUSES.find((s) => s.value === value)?.value;
}

function listHref(status: ExecutionStatus | undefined, before?: number): string {
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (before !== undefined) params.set("before", String(before));
  const text = params.toString();
  return text ? `/dashboard/executions?${text}` : "/dashboard/executions";
}

function Row(props: { e: ExecutionSummary }) {
  const { e } = props;
  const status = statusOfSummary(e);
  const link = `/dashboard/executions/${encodeURIComponent(e.execution_id)}`;
  return (
    <tr {...(status === "running" ? { "data-live": `${link}/live` } : {})}>
      <td>
        <Badge status={status} />
      </td>
      <th scope="row">
        <a href={link} class="mono">
          {e.execution_id}
        </a>
        <div class="muted">{e.kind === "skill" ? `skill ${e.skill}` : "code"}</div>
      </th>
      <td>
        <Time iso={e.started_at} />
      </td>
      <td>
        {status === "running" ? (
          <span class="live-status">running</span>
        ) : (
          `${e.duration_ms} ms, ${e.tool_call_count} tool call${e.tool_call_count === 1 ? "" : "s"}`
        )}
      </td>
      <td class="summary-text">{status === "running" ? "" : e.summary}</td>
    </tr>
  );
}

export const executionsPage = new Hono<WebEnv>().get("/", async (c) => {
  const user = c.get("webSession").user;
  const status = parseStatus(c.req.query("status"));
  const beforeRaw = Number(c.req.query("before"));
  const before = Number.isSafeInteger(beforeRaw) && beforeRaw > 0 ? beforeRaw : undefined;
  const result = await dashboardData.executions(c.env, user, {
    ...(status ? { status } : {}),
    ...(before !== undefined ? { before } : {}),
  });
  return page(
    c,
    "Executions",
    <DashboardFrame path="/dashboard/executions" title="Executions">
      <form method="get" action="/dashboard/executions" class="filters">
        <div>
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option value={s.value} selected={s.value === status}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      {result.executions.length === 0 ? (
        <p role="status">{status || before ? "No executions match." : "No executions yet."}</p>
      ) : (
        <Table
          caption="Your executions, newest first"
          columns={["Status", "Execution", "Started", "Duration", "Result"]}
        >
          {result.executions.map((e) => (
            <Row e={e} />
          ))}
        </Table>
      )}
      <Pager
        label="Execution pages"
        words={["Newest", "Older"]}
        prev={before !== undefined ? listHref(status) : undefined}
        next={result.next !== undefined ? listHref(status, result.next) : undefined}
      />
    </DashboardFrame>,
  );
});
