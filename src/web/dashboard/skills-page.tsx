/**
 * @module web/dashboard/skills-page
 * `/dashboard/skills`: the user's skills (and the shipped ones) with their latest version, the tools they call,
 * drift flags that name each changed or missing tool, and how often each ran with its last result (from the
 * execution history). Each links to its versions (src/web/dashboard/skill-page.tsx).
 */
import { Hono } from "hono";
import type { SkillDrift, SkillToolUse } from "../../skills/skill-types";
import type { SkillRuns } from "../../user/execution-history";
import { page } from "../layout";
import { Table } from "../table";
import type { WebEnv } from "../web-types";
import { dashboardData, originOf } from "./dashboard-data";
import { Badge, DashboardFrame, Notice } from "./dashboard-frame";
import { statusOfSummary } from "./executions-page";

/** The tools one version calls, as `server.tool`. */
export function ToolsCalled(props: { uses: readonly SkillToolUse[] }) {
  if (props.uses.length === 0) return <span class="muted">no tools</span>;
  return (
    <ul>
      {props.uses.map((u) => (
        <li>
          <code>{`${u.server}.${u.tool}`}</code>
        </li>
      ))}
    </ul>
  );
}

/** The drift flags of one version: each names the tool and how it drifted. */
export function DriftFlags(props: { drift: readonly SkillDrift[] }) {
  if (props.drift.length === 0) return <span class="muted">no drift</span>;
  return (
    <ul>
      {props.drift.map((d) => (
        <li>
          <Badge status={d.status} label={d.status === "changed" ? "changed" : "missing"} />{" "}
          <code>{`${d.server}.${d.tool}`}</code>
          {`: ${d.reason}`}
        </li>
      ))}
    </ul>
  );
}

/** How often a version (or all versions, `name@`) ran, and its last result. */
export function RunsOf(props: { runs: readonly SkillRuns[] }) {
  if (props.runs.length === 0) return <span class="muted">never run</span>;
  const total = props.runs.reduce((n, r) => n + r.runs, 0);
  const last = props.runs.reduce((a, b) => (a.last.started_at >= b.last.started_at ? a : b)).last;
  const status = statusOfSummary(last);
  return (
    <>
      {`${total} run${total === 1 ? "" : "s"}; last `}
      <a href={`/dashboard/executions/${encodeURIComponent(last.execution_id)}`}>
        <Badge status={status} />
      </a>{" "}
      <span class="summary-text">{last.summary}</span>
    </>
  );
}

const DONE: Record<string, string> = { deleted: "The skill and all its versions were deleted." };

export const skillsPage = new Hono<WebEnv>().get("/", async (c) => {
  const user = c.get("webSession").user;
  const [skills, runs] = await Promise.all([
    dashboardData.skills(c.env, user, originOf(c)),
    dashboardData.skillRuns(c.env, user),
  ]);
  const done = c.req.query("done");
  return page(
    c,
    "Skills",
    <DashboardFrame path="/dashboard/skills" title="Skills">
      {done !== undefined && Object.hasOwn(DONE, done) ? <Notice kind="notice">{DONE[done]}</Notice> : null}
      {skills.length === 0 ? (
        <p>No skills yet. Agents save them with save_skill.</p>
      ) : (
        <Table caption="Your skills" columns={["Skill", "Calls", "Drift", "Runs"]}>
          {skills.map((s) => (
            <tr>
              <th scope="row">
                <a href={`/dashboard/skills/${encodeURIComponent(s.name)}`}>{s.name}</a>{" "}
                <span class="muted">{`v${s.latest_version}${s.builtin ? " (shipped)" : ""}`}</span>
                <div class="summary-text">{s.description}</div>
                {s.type_errors ? <div class="error">type check: {s.type_errors}</div> : null}
              </th>
              <td>
                <ToolsCalled uses={s.uses} />
              </td>
              <td>
                <DriftFlags drift={s.drift} />
              </td>
              <td>
                <RunsOf runs={runs.filter((r) => r.skill.startsWith(`${s.name}@`))} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </DashboardFrame>,
  );
});
