/**
 * @module web/dashboard/skill-page
 * `/dashboard/skills/<name>`: every version of one skill, with the tools it calls, its drift flags and its runs;
 * a line diff between any two versions (`?from=&to=`, the latest two by default); the code of the newer one; and
 * the actions of the skill tools: roll back (saves a copy of an earlier version as the newest, as
 * save_skill({ from_version }) does) and delete (every version). Shipped skills are read-only.
 */
import { Hono } from "hono";
import { errorPage, page } from "../layout";
import { csrfToken } from "../web-auth";
import { Table } from "../table";
import type { WebEnv } from "../web-types";
import { checkSkillName } from "../../skills/skill-check";
import type { SkillVersion } from "../../skills/skill-types";
import { CodeView } from "./code-view";
import { dashboardData, originOf } from "./dashboard-data";
import { DashboardFrame, Notice, Time } from "./dashboard-frame";
import { lineDiff } from "./line-diff";
import { DriftFlags, RunsOf, ToolsCalled } from "./skills-page";

const validName = (name: string) => checkSkillName(name) === undefined;

function Diff(props: { from: SkillVersion; to: SkillVersion }) {
  const lines = lineDiff(props.from.code, props.to.code);
  const changed = lines.filter((l) => l.op !== "same").length;
  return (
    <>
      <p role="status">
        {changed === 0
          ? `v${props.from.version} and v${props.to.version} have the same code.`
          : `${changed} line${changed === 1 ? "" : "s"} differ between v${props.from.version} and v${props.to.version}.`}
      </p>
      <section class="scroll" aria-label={`Diff from v${props.from.version} to v${props.to.version}`}>
        <pre class="diff" tabindex={0}>
          {lines.map((l) => (
            <span class={l.op}>{`${l.op === "add" ? "+ " : l.op === "del" ? "- " : "  "}${l.text}\n`}</span>
          ))}
        </pre>
      </section>
    </>
  );
}

function VersionSelect(props: { id: string; label: string; versions: SkillVersion[]; selected: number }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        {props.versions.map((v) => (
          <option value={String(v.version)} selected={v.version === props.selected}>
            {`v${v.version}`}
          </option>
        ))}
      </select>
    </div>
  );
}

const DONE: Record<string, string> = { rolledback: "Rolled back: the chosen version was saved as the newest." };

export const skillPage = new Hono<WebEnv>()
  .get("/:name", async (c) => {
    const user = c.get("webSession").user;
    const name = c.req.param("name");
    const detail = validName(name) ? await dashboardData.skill(c.env, user, originOf(c), name) : { versions: [] };
    if (detail.versions.length === 0) return errorPage(c, 404, "No such skill", `You have no skill named ${name}.`);
    const runs = await dashboardData.skillRuns(c.env, user);
    const versions = [...detail.versions].sort((a, b) => b.version - a.version);
    const latest = versions[0]!;
    const pick = (q: string | undefined, fallback: SkillVersion) =>
      versions.find((v) => String(v.version) === q) ?? fallback;
    const to = pick(c.req.query("to"), latest);
    const from = pick(c.req.query("from"), versions.find((v) => v.version < to.version) ?? to);
    const csrf = csrfToken(c);
    const done = c.req.query("done");
    return page(
      c,
      `Skill ${name}`,
      <DashboardFrame path="/dashboard/skills" title={`Skill ${name}`}>
        {done !== undefined && Object.hasOwn(DONE, done) ? <Notice kind="notice">{DONE[done]}</Notice> : null}
        <p class="summary-text">{latest.description}</p>
        <Table
          caption={`Versions of ${name}, newest first`}
          columns={["Version", "Calls", "Drift", "Runs", latest.builtin ? null : "Action"]}
        >
          {versions.map((v) => (
            <tr>
              <th scope="row">
                {`v${v.version}`} {v.version === latest.version ? <span class="muted">(latest)</span> : null}
                <div class="muted">
                  <Time iso={v.created_at} />
                </div>
              </th>
              <td>
                <ToolsCalled uses={v.uses} />
              </td>
              <td>
                <DriftFlags drift={v.drift} />
              </td>
              <td>
                <RunsOf runs={runs.filter((r) => r.skill === `${name}@${v.version}`)} />
              </td>
              {latest.builtin ? null : (
                <td>
                  {v.version === latest.version ? null : (
                    <form method="post" action={`/dashboard/skills/${name}/rollback`} class="inline">
                      <input type="hidden" name="csrf" value={csrf} />
                      <input type="hidden" name="version" value={String(v.version)} />
                      <button type="submit" class="secondary">{`Roll back to v${v.version}`}</button>
                    </form>
                  )}
                </td>
              )}
            </tr>
          ))}
        </Table>
        <h2>Compare versions</h2>
        <form method="get" action={`/dashboard/skills/${name}`} class="filters">
          <VersionSelect id="from" label="From" versions={versions} selected={from.version} />
          <VersionSelect id="to" label="To" versions={versions} selected={to.version} />
          <button type="submit">Compare</button>
        </form>
        <Diff from={from} to={to} />
        <h2>{`Code of v${to.version}`}</h2>
        <CodeView code={to.code} label={`Code of ${name} v${to.version}`} />
        {latest.builtin ? (
          <p class="muted">Shipped with the gateway: read-only.</p>
        ) : (
          <form method="post" action={`/dashboard/skills/${name}/delete`} class="card">
            <h2>Delete</h2>
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              <input type="checkbox" name="confirm" value="yes" required /> Delete {name} and all its versions
            </label>
            <div class="actions">
              <button type="submit" class="danger">
                Delete skill
              </button>
            </div>
          </form>
        )}
      </DashboardFrame>,
    );
  })
  .post("/:name/rollback", async (c) => {
    const name = c.req.param("name");
    const version = Number(c.get("form").get("version"));
    if (!validName(name) || !Number.isSafeInteger(version) || version < 1) {
      return errorPage(c, 400, "Not rolled back", "Choose a version of one of your skills.");
    }
    const saved = await dashboardData.rollback(c.env, c.get("webSession").user, originOf(c), name, version);
    if (!saved.ok) return errorPage(c, 409, "Not rolled back", saved.error);
    return c.redirect(`/dashboard/skills/${name}?done=rolledback`, 303);
  })
  .post("/:name/delete", async (c) => {
    const name = c.req.param("name");
    if (c.get("form").get("confirm") !== "yes") {
      return errorPage(c, 400, "Not deleted", "Tick the box to confirm that every version should be deleted.");
    }
    const deleted = validName(name)
      ? await dashboardData.deleteSkill(c.env, c.get("webSession").user, originOf(c), name)
      : null;
    if (!deleted?.ok) return errorPage(c, 409, "Not deleted", deleted?.error ?? `You have no skill named ${name}.`);
    return c.redirect("/dashboard/skills?done=deleted", 303);
  });
