/**
 * @module web/assets
 * The pages' static files, served by the Worker from string modules (no build step, no asset upload): the CSP's
 * `'self'` sources. Unknown names are 404.
 */
import { Hono } from "hono";
import { APP_JS } from "./assets/app-js";
import { STYLE_CSS } from "./assets/style-css";

const ASSETS = new Map<string, { type: string; body: string }>([
  ["style.css", { type: "text/css; charset=utf-8", body: STYLE_CSS }],
  ["app.js", { type: "text/javascript; charset=utf-8", body: APP_JS }],
]);

/** `GET /web/assets/<name>`. */
export const assetRoutes = new Hono().get("/:name", (c) => {
  const asset = ASSETS.get(c.req.param("name"));
  if (!asset) return c.text("not found", 404);
  return c.body(asset.body, 200, {
    "content-type": asset.type,
    "cache-control": "public, max-age=300",
    "x-content-type-options": "nosniff",
  });
});
