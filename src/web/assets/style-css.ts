/**
 * @module web/assets/style-css
 * The stylesheet of every page, served as /web/assets/style.css (the CSP allows no inline style). Colours meet WCAG
 * AA contrast in both schemes; every focusable element shows a clear focus ring.
 *
 * Code in running text breaks only when it is longer than its line (`break-word`). In a table a long value (a URL)
 * may break anywhere, so it never widens the page past the window; but auto-sized columns then squeeze such a cell
 * to a few characters whenever another column has long text, so a cell holding code keeps a minimum width that fits
 * a short URL, module or tool name on one line.
 */
export const STYLE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #4a5460; --line: #c9d1d9; --panel: #f4f6f8;
  --accent: #0b57d0; --accent-fg: #ffffff; --danger: #b3261e; --ok: #146c2e; --warn: #7a4b00; --focus: #c2410c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --fg: #e6e9ed; --muted: #aab4bf; --line: #3a434d; --panel: #1b2027;
    --accent: #8ab4f8; --accent-fg: #0b1220; --danger: #f2b8b5; --ok: #8fd6a0; --warn: #f5c26b; --focus: #fdba74;
  }
}
* { box-sizing: border-box; }
html { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 10; }
header.site { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.site .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header.site nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header.site nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header.site .signout { margin: 0 0 0 auto; display: flex; gap: .5rem; align-items: center; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin-top: 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
label { display: block; font-weight: 600; margin-top: .75rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
input[type="text"], input[type="url"], input[type="password"], textarea, select {
  font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--muted); border-radius: 4px;
  padding: .45rem .6rem; width: 100%; max-width: 36rem;
}
button, .button {
  font: inherit; cursor: pointer; border: 1px solid var(--accent); border-radius: 4px; padding: .4rem .9rem;
  background: var(--accent); color: var(--accent-fg); text-decoration: none; display: inline-block;
}
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
form.inline { display: inline; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
.notice, .error { border-left: 4px solid var(--ok); background: var(--panel); padding: .6rem 1rem; margin: 1rem 0; }
.error { border-left-color: var(--danger); }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; overflow-wrap: break-word; word-break: normal; }
td code, th code, td .mono, th .mono { overflow-wrap: anywhere; }
td:has(code, .mono), th:has(code, .mono) { min-width: 16rem; }
td ul, th ul { margin: 0; padding-left: 1.25rem; }
time { white-space: nowrap; }
.status { font-weight: 600; }
.status-connected { color: var(--ok); }
.status-authorization_required, .status-expired { color: var(--warn); }
.status-error { color: var(--danger); }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1rem 0; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
