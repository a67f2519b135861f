/**
 * @module web/web-routes
 * The web pages (server-rendered, src/web/): sign-in, the connections page and their static assets. Mounted at the
 * root of the app beside /mcp; /mcp's bearer authentication does not apply here (pages use the session cookie).
 */
import { Hono } from "hono";
import { assetRoutes } from "./assets";
import { connectionsRoutes } from "./connections-page";
import { dashboardRoutes } from "./dashboard/dashboard-routes";
import { signinRoutes } from "./signin-page";
import type { WebEnv } from "./web-types";

export const webRoutes = new Hono<WebEnv>()
  .route("/web/assets", assetRoutes)
  .route("/", signinRoutes)
  .route("/connections", connectionsRoutes)
  .route("/dashboard", dashboardRoutes);
