/**
 * @module web/dashboard/dashboard-routes
 * `/dashboard`: the signed-in user's dashboard (issue #18), on the web foundation's sign-in, CSRF check and layout
 * (src/web/web-auth.ts, src/web/layout.tsx). Every page reads only the signed-in user's objects; every POST carries
 * the session's CSRF token and comes from our own origin. Its static assets need no sign-in.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { PAGE_CSP } from "../layout";
import { checkCsrf, requireWebUser } from "../web-auth";
import type { WebEnv } from "../web-types";
import { approvalsPage } from "./approvals-page";
import { dashboardAssets } from "./dashboard-assets";
import { executionPage } from "./execution-page";
import { executionsPage } from "./executions-page";
import { serversPage } from "./servers-page";
import { skillPage } from "./skill-page";
import { skillsPage } from "./skills-page";
import { toolsPage } from "./tools-page";

/**
 * The site's policy plus `connect-src 'self'`: the progressive script polls the gateway's own `/live` JSON for
 * running executions (the site policy's `default-src 'none'` would block that fetch).
 */
export const DASHBOARD_CSP = `${PAGE_CSP}; connect-src 'self'`;

const dashboardCsp: MiddlewareHandler<WebEnv> = async (c, next) => {
  await next();
  if (c.res.headers.has("content-security-policy")) c.res.headers.set("content-security-policy", DASHBOARD_CSP);
};

export const dashboardRoutes = new Hono<WebEnv>()
  .route("/assets", dashboardAssets)
  .use("*", dashboardCsp, requireWebUser, checkCsrf)
  .route("/", serversPage)
  .route("/tools", toolsPage)
  .route("/executions", executionsPage)
  .route("/executions", executionPage)
  .route("/approvals", approvalsPage)
  .route("/skills", skillsPage)
  .route("/skills", skillPage);
