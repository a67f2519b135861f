/**
 * @module web/assets
 * The pages' static files, served by the Worker from string modules (no build step, no asset upload): the CSP's
 * `'self'` sources. Unknown names are 404.
 */
import { Hono } from "hono";
import { APP_JS } from "./assets/app-js";
import { STYLE_CSS } from "./assets/style-css";

/** A static file: its content type and body. */
export interface Asset {
  type: string;
  body: string;
}

/** An app serving `GET /<name>` from `assets`, cacheable for five minutes; unknown names are 404. */
export function staticAssets(assets: ReadonlyMap<string, Asset>) {
  return new Hono().get("/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (!asset) return c.text("not found", 404);
    return c.body(asset.body, 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=300",
      "x-content-type-options": "nosniff",
    });
  });
}

/** `GET /web/assets/<name>`. */
export const assetRoutes = staticAssets(
  new Map([
    ["style.css", { type: "text/css; charset=utf-8", body: STYLE_CSS }],
    ["app.js", { type: "text/javascript; charset=utf-8", body: APP_JS }],
  ]),
);
