/**
 * @module web/connections-page
 * `/connections`: the signed-in user's upstream servers (filled in by the connections work of #15).
 */
import { Hono } from "hono";
import { page } from "./layout";
import { checkCsrf, requireWebUser } from "./web-auth";
import type { WebEnv } from "./web-types";

/** The connections page and its form actions. */
export const connectionsRoutes = new Hono<WebEnv>();
connectionsRoutes.use("*", requireWebUser, checkCsrf);
connectionsRoutes.get("/", (c) =>
  page(
    c,
    "Connections",
    <>
      <h1>Connections</h1>
      <p>
        Signed in as <strong>{c.get("webSession").user}</strong>.
      </p>
    </>,
  ),
);
