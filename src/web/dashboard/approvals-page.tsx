/**
 * @module web/dashboard/approvals-page
 * `/dashboard/approvals`: the calls waiting for the user's approval (or for a sign-in to one of the user's servers), each with its full arguments (exactly what
 * runs if approved), and Approve / Deny forms (src/web/dashboard/approval-actions.ts: the rules of approve_call and
 * deny_call, audited as `user (dashboard)`). After a decision the browser is sent back here (POST, redirect, GET),
 * with a fixed notice: nothing from the query string is shown as a message.
 */
import { Hono } from "hono";
import { morePermission } from "../../registry/step-up-scope";
import type { PendingApproval } from "../../user/user-types";
import { errorPage, page } from "../layout";
import { csrfToken } from "../web-auth";
import type { WebEnv } from "../web-types";
import { approveFromDashboard, denyFromDashboard, renewSignInLink } from "./approval-actions";
import { JsonView } from "./code-view";
import { dashboardData, originOf } from "./dashboard-data";
import { DashboardFrame, Notice, Time } from "./dashboard-frame";

const DONE: Record<string, string> = {
  approved:
    "Approved. The execution re-runs in the background in its own session; it is listed under Executions, and the agent reads its outcome with get_execution.",
  denied: "Denied. The execution is cancelled and recorded.",
  renewed: "A new sign-in link is ready on the call below: follow it, then Resume.",
};

/** A sign-in link only when it is this gateway's own (the flow starts at /connections/authorize). */
function signInLink(url: string | undefined, origin: string): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.origin === origin && parsed.pathname.startsWith("/connections/") ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const RESUME = "Resume runs the code again and replays the calls that already ran.";

/**
 * What a call waiting for a sign-in needs now: a link that opens it, or what became of it (`now`). A link that no
 * longer opens a sign-in is replaced on request: a page view starts no sign-in, the button (POST) does.
 */
function SignInWait(props: { a: PendingApproval; link: string | undefined; csrf: string }) {
  const { a, link } = props;
  const signIn = a.authorization!;
  const why =
    signIn.status === "expired"
      ? "sign-in expired"
      : signIn.scope
        ? `it needs ${morePermission(signIn.scope)}`
        : "sign-in needed";
  const connections = <a href="/connections">Connections</a>;
  switch (signIn.now) {
    case "signed_in":
      return <p>{`You have signed in to ${a.server} since this call stopped. ${RESUME}`}</p>;
    case "no_sign_in":
      return <p>{`${a.server} no longer asks for a sign-in. ${RESUME}`}</p>;
    case "removed":
      return (
        <p>
          {`You removed ${a.server} after this call stopped. Add it again on `}
          {connections}
          {" and sign in, then Resume; or Deny the call."}
        </p>
      );
  }
  const waits = `This call waits for you to sign in to ${a.server} (${why}). `;
  if (link) {
    return (
      <p>
        {waits}
        <a href={link}>Sign in to {a.server}</a>
        {`, then Resume. ${RESUME}`}
      </p>
    );
  }
  return (
    <>
      <p>{`${waits}The link it gave no longer opens a sign-in: start a new one, sign in, then Resume. ${RESUME}`}</p>
      <form method="post" action={`/dashboard/approvals/${a.handle}/sign-in`}>
        <input type="hidden" name="csrf" value={props.csrf} />
        <button type="submit">{`Start a new sign-in to ${a.server}`}</button>
      </form>
    </>
  );
}

function Approval(props: { a: PendingApproval; csrf: string; origin: string }) {
  const { a } = props;
  const full = `${a.server}.${a.tool}`;
  const signIn = a.authorization;
  const link = signInLink(signIn?.url, props.origin);
  return (
    <article class="card" aria-labelledby={`h-${a.handle}`} id={a.handle}>
      <h2 id={`h-${a.handle}`}>
        <code>{full}</code>
      </h2>
      <p class="muted">
        Asked <Time iso={a.created_at} />
        {a.execution_id ? (
          <>
            {" by execution "}
            <a href={`/dashboard/executions/${encodeURIComponent(a.execution_id)}`} class="mono">
              {a.execution_id}
            </a>
          </>
        ) : null}
        {" · handle "}
        <code>{a.handle}</code>
      </p>
      {signIn ? <SignInWait a={a} link={link} csrf={props.csrf} /> : null}
      <JsonView value={a.arguments} label={`Arguments of ${full}`} />
      <div class="actions">
        <form method="post" action={`/dashboard/approvals/${a.handle}/approve`} class="inline">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit" aria-label={`${signIn ? "Resume" : "Approve"} ${full} (${a.handle})`}>
            {signIn ? "Resume" : "Approve"}
          </button>
        </form>
        <form method="post" action={`/dashboard/approvals/${a.handle}/deny`} class="inline">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit" class="danger" aria-label={`Deny ${full} (${a.handle})`}>
            Deny
          </button>
        </form>
      </div>
    </article>
  );
}

export const approvalsPage = new Hono<WebEnv>()
  .get("/", async (c) => {
    const approvals = await dashboardData.approvals(c.env, c.get("webSession").user, originOf(c));
    const done = c.req.query("done");
    const notice = done !== undefined && Object.hasOwn(DONE, done) ? DONE[done] : undefined;
    return page(
      c,
      "Approvals",
      <DashboardFrame path="/dashboard/approvals" title="Approvals">
        {notice ? <Notice kind="notice">{notice}</Notice> : null}
        {approvals.length === 0 ? (
          <p>Nothing waits for your approval.</p>
        ) : (
          approvals.map((a) => <Approval a={a} csrf={csrfToken(c)} origin={originOf(c)} />)
        )}
      </DashboardFrame>,
    );
  })
  .post("/:handle/approve", async (c) => {
    const outcome = await approveFromDashboard(
      c.env,
      c.get("webSession").user,
      c.req.param("handle"),
      (work) => c.executionCtx.waitUntil(work),
      originOf(c),
    );
    if (!outcome.ok) return errorPage(c, 409, "Not approved", outcome.error);
    return c.redirect("/dashboard/approvals?done=approved", 303);
  })
  .post("/:handle/sign-in", async (c) => {
    const renewed = await renewSignInLink(c.env, c.get("webSession").user, c.req.param("handle"), originOf(c));
    if (!renewed.ok) return errorPage(c, 409, "No new sign-in", renewed.error);
    // Back to the page, which lists the pending sign-in it started or reused: not a redirect to the sign-in itself,
    // whose chain the CSP's form-action would stop at the authorization server.
    const handle = c.req.param("handle");
    return c.redirect(renewed.link ? `/dashboard/approvals?done=renewed#${handle}` : "/dashboard/approvals", 303);
  })
  .post("/:handle/deny", async (c) => {
    const outcome = await denyFromDashboard(c.env, c.get("webSession").user, c.req.param("handle"));
    if (!outcome.ok) return errorPage(c, 409, "Not denied", outcome.error);
    return c.redirect("/dashboard/approvals?done=denied", 303);
  });
