/**
 * @module web/dashboard/execution-page
 * `/dashboard/executions/<id>`: one execution of the user's history: its code (highlighted, the error marked at
 * its line), result, logs, warnings and its tool calls as a timeline. A running execution shows the calls made so
 * far (read from the session object running it) and `/live` serves the same as JSON for the progressive script.
 */
import { Hono } from "hono";
import { statusOf } from "../../user/execution-history";
import type { ExecutionRecord, ExecutionStatus } from "../../user/user-types";
import { errorPage, page } from "../layout";
import type { WebEnv } from "../web-types";
import { CodeView, JsonView } from "./code-view";
import { dashboardData } from "./dashboard-data";
import { Badge, DashboardFrame, Time } from "./dashboard-frame";
import { Timeline } from "./timeline";

const ID = /^exe_[A-Za-z0-9_]{1,80}$/;

function recordStatus(r: ExecutionRecord): ExecutionStatus {
  return r.running ? "running" : statusOf(r);
}

/** Why an execution has no result: it may still be running or waiting, not only have failed. */
function noResult(r: ExecutionRecord): string {
  const status = recordStatus(r);
  if (status === "running") return "No result yet: the execution is running.";
  if (status === "approval_required") return "No result yet: the execution is waiting for approval.";
  if (r.status === "authorization_required" && !r.authorization?.decision) {
    return "No result yet: the execution is waiting for a sign-in.";
  }
  if (status === "approved") return "No result in this run: it stopped for approval; the re-run has the result.";
  if (status === "denied") return "No result: the call was denied and the execution cancelled.";
  return "No result (the execution failed).";
}

function Details(props: { r: ExecutionRecord }) {
  const { r } = props;
  return (
    <>
      {r.error ? (
        <section aria-labelledby="error-h">
          <h2 id="error-h">Error</h2>
          <p class="error" role="note">
            <strong>{r.error.kind}</strong>
            {r.error.line ? ` at line ${r.error.line}${r.error.column ? `, column ${r.error.column}` : ""}` : ""}:{" "}
            {r.error.message}
          </p>
        </section>
      ) : null}
      {r.approval ? (
        <section aria-labelledby="approval-h">
          <h2 id="approval-h">Waiting call</h2>
          <p>
            <code>{`${r.approval.server}.${r.approval.tool}`}</code>
            {r.approval.decision ? " needed approval. " : " waits for your approval. "}
            {r.approval.decision ? (
              <>
                {`${r.approval.decision === "approved" ? "Approved" : "Denied"} by ${r.approval.by} `}
                <Time iso={r.approval.at} />
                {r.approval.rerun ? (
                  <>
                    {"; re-run as "}
                    <a href={`/dashboard/executions/${encodeURIComponent(r.approval.rerun)}`} class="mono">
                      {r.approval.rerun}
                    </a>
                  </>
                ) : null}
                .
              </>
            ) : r.approval.handle ? (
              <a href="/dashboard/approvals">Answer it under Approvals</a>
            ) : null}
          </p>
          <JsonView value={r.approval.arguments} label="Arguments of the waiting call" />
        </section>
      ) : null}
      <section aria-labelledby="result-h">
        <h2 id="result-h">Result</h2>
        {r.ok ? <JsonView value={r.result} label="Result" /> : <p class="muted">{noResult(r)}</p>}
      </section>
      <section aria-labelledby="logs-h">
        <h2 id="logs-h">Logs</h2>
        {r.logs.length ? (
          <section class="scroll" aria-label="Logs">
            <pre class="logs" tabindex={0}>
              {r.logs.join("\n")}
            </pre>
          </section>
        ) : (
          <p class="muted">No logs.</p>
        )}
      </section>
      {r.warnings?.length ? (
        <section aria-labelledby="warnings-h">
          <h2 id="warnings-h">Warnings</h2>
          <ul>
            {r.warnings.map((w) => (
              <li>
                {w.line ? `line ${w.line}: ` : ""}
                {w.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export const executionPage = new Hono<WebEnv>()
  .get("/:id", async (c) => {
    const user = c.get("webSession").user;
    const id = c.req.param("id");
    const r = ID.test(id) ? await dashboardData.execution(c.env, user, id) : undefined;
    if (!r) return errorPage(c, 404, "No such execution", `There is no execution ${id} in your history.`);
    const status = recordStatus(r);
    const live = status === "running" ? await dashboardData.liveCalls(c.env, user, id) : undefined;
    const calls = live?.calls ?? r.tool_calls;
    return page(
      c,
      `Execution ${id}`,
      <DashboardFrame path="/dashboard/executions" title={`Execution ${id}`}>
        <div {...(status === "running" ? { "data-live": `/dashboard/executions/${id}/live` } : {})}>
          <dl class="meta">
            <dt>Status</dt>
            <dd>
              <Badge status={status} />{" "}
              {status === "running" ? <span class="live-status">running</span> : `${r.duration_ms} ms`}
            </dd>
            <dt>Kind</dt>
            <dd>{r.kind === "skill" ? `skill ${r.skill}` : "code"}</dd>
            <dt>Started</dt>
            <dd>
              <Time iso={r.started_at} />
            </dd>
          </dl>
          <section aria-labelledby="calls-h">
            <h2 id="calls-h">Tool calls</h2>
            <div data-live-timeline="">
              <Timeline calls={calls} durationMs={live?.elapsed_ms ?? r.duration_ms} />
            </div>
          </section>
        </div>
        <section aria-labelledby="code-h">
          <h2 id="code-h">Code</h2>
          <CodeView code={r.code} label="Code of the execution" {...(r.error ? { error: r.error } : {})} />
        </section>
        {status === "running" ? null : <Details r={r} />}
      </DashboardFrame>,
    );
  })
  .get("/:id/live", async (c) => {
    const user = c.get("webSession").user;
    const id = c.req.param("id");
    const r = ID.test(id) ? await dashboardData.execution(c.env, user, id) : undefined;
    if (!r) return c.json({ error: "no such execution" }, 404, { "cache-control": "no-store" });
    if (!r.running) return c.json({ running: false }, 200, { "cache-control": "no-store" });
    const live = await dashboardData.liveCalls(c.env, user, id);
    const calls = live?.calls ?? [];
    const elapsed = live?.elapsed_ms ?? Date.now() - Date.parse(r.started_at);
    const timeline = await (<Timeline calls={calls} durationMs={elapsed} />).toString();
    return c.json({ running: true, elapsed_ms: elapsed, calls: calls.length, timeline }, 200, {
      "cache-control": "no-store",
    });
  });
