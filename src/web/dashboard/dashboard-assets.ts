/**
 * @module web/dashboard/dashboard-assets
 * The dashboard's own stylesheet and its one small progressive script, served from string modules under
 * /dashboard/assets (the CSP allows only same-origin styles and scripts, nothing inline). Colours use the
 * variables of the site stylesheet (src/web/assets/style-css.ts), which meet WCAG AA in both colour schemes.
 *
 * The script only makes running executions update themselves: pages are complete without it. It polls the
 * `/live` JSON of each running execution on the page (at most {@link LIVE_WATCHED}), replaces the detail page's
 * timeline with the server-rendered (escaped) one, and reloads the page once an execution has ended.
 */
import { staticAssets } from "../assets";

/** Running executions one page watches. */
export const LIVE_WATCHED = 10;

export const DASHBOARD_CSS = `
.dash-nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: 0 0 1rem; border-bottom: 1px solid var(--line); }
.dash-nav a { display: inline-block; padding: .4rem 0; }
.dash-nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 999px; padding: 0 .5rem; font-size: .85rem; font-weight: 600; }
.st-ok, .st-approved { color: var(--ok); }
.st-error, .st-lost, .st-cancelled, .st-denied, .st-expired { color: var(--danger); }
.st-connected { color: var(--ok); }
.st-running, .st-approval_required, .st-authorization_required, .st-open, .st-half_open, .st-changed, .st-missing { color: var(--warn); }
.muted { color: var(--muted); }
.summary-text { overflow-wrap: anywhere; }
pre.code, pre.json, pre.logs { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow: auto; max-height: 36rem; font-size: .85rem; line-height: 1.45; }
pre.code .line { display: block; }
pre.code .ln { display: inline-block; width: 3.5em; margin-right: 1em; text-align: right; color: var(--muted); user-select: none; }
pre.code .error-line { background: color-mix(in srgb, var(--danger) 18%, transparent); }
pre.code .line-error { display: block; color: var(--danger); font-weight: 600; padding-left: 4.5em; }
pre.code .kw { color: var(--accent); font-weight: 600; }
pre.code .str { color: var(--ok); }
pre.code .num { color: var(--warn); }
pre.code .com { color: var(--muted); font-style: italic; }
.timeline svg { max-width: 100%; height: auto; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.timeline .tick line { stroke: var(--line); }
.timeline text { fill: var(--fg); }
.timeline .tick text, .timeline .note { fill: var(--muted); }
.timeline .bar { fill: var(--muted); }
.timeline .s-ok .bar { fill: var(--ok); }
.timeline .s-error .bar, .timeline .s-timeout .bar { fill: var(--danger); }
.timeline .s-rejected .bar { fill: var(--warn); }
.timeline .replayed .bar { fill-opacity: .45; }
.timeline figcaption { margin-top: .5rem; }
ol.calls li { overflow-wrap: anywhere; }
.tool { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.tool h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; }
.filters label { margin-top: 0; }
.filters input[type="search"] { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--muted); border-radius: 4px; padding: .45rem .6rem; min-width: 18rem; }
.filters select { width: auto; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.diff { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow: auto; font-size: .85rem; }
.diff .add { display: block; background: color-mix(in srgb, var(--ok) 18%, transparent); }
.diff .del { display: block; background: color-mix(in srgb, var(--danger) 18%, transparent); }
.diff .same { display: block; }
.live-status { font-weight: 600; }
.card h2 { margin-top: 0; }
`;

export const LIVE_JS = `"use strict";
(function () {
  var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-live]"), 0, ${LIVE_WATCHED});
  if (!nodes.length) return;
  function poll(node) {
    fetch(node.getAttribute("data-live"), { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (live) {
        if (!live) return;
        if (!live.running) { location.reload(); return; }
        var status = node.querySelector(".live-status");
        if (status) status.textContent = "running for " + Math.round(live.elapsed_ms / 100) / 10 + " s, " + live.calls + " tool call" + (live.calls === 1 ? "" : "s");
        var target = node.querySelector("[data-live-timeline]");
        if (target && typeof live.timeline === "string") target.innerHTML = live.timeline;
        setTimeout(function () { poll(node); }, 1000);
      })
      .catch(function () { setTimeout(function () { poll(node); }, 3000); });
  }
  nodes.forEach(poll);
})();
`;

/** `GET /dashboard/assets/<name>`. */
export const dashboardAssets = staticAssets(
  new Map([
    ["dashboard.css", { type: "text/css; charset=utf-8", body: DASHBOARD_CSS }],
    ["live.js", { type: "text/javascript; charset=utf-8", body: LIVE_JS }],
  ]),
);
