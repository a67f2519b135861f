/**
 * @module web/dashboard/dashboard-frame
 * What every dashboard page shares inside the site layout (src/web/layout.tsx): the dashboard's stylesheet and
 * progressive script, its section navigation, and small pieces (status badges, times, pagers).
 */
import type { Child } from "hono/jsx";

const SECTIONS: ReadonlyArray<{ href: string; label: string }> = [
  { href: "/dashboard", label: "Servers" },
  { href: "/dashboard/tools", label: "Tools" },
  { href: "/dashboard/executions", label: "Executions" },
  { href: "/dashboard/approvals", label: "Approvals" },
  { href: "/dashboard/skills", label: "Skills" },
];

function current(path: string, href: string): boolean {
  return href === "/dashboard" ? path === "/dashboard" : path === href || path.startsWith(`${href}/`);
}

/** The dashboard's frame around a page's content: assets, section navigation, the heading. */
export function DashboardFrame(props: { path: string; title: string; children?: Child }) {
  return (
    <>
      <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
      <script src="/dashboard/assets/live.js" defer></script>
      <nav class="dash-nav" aria-label="Dashboard">
        <ul>
          {SECTIONS.map((s) => (
            <li>
              <a href={s.href} aria-current={current(props.path, s.href) ? "page" : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{props.title}</h1>
      {props.children}
    </>
  );
}

/** A status word, coloured by class (the word itself carries the meaning, not the colour). */
export function Badge(props: { status: string; label?: string }) {
  return <span class={`badge st-${props.status.replace(/[^a-z_]/g, "")}`}>{props.label ?? props.status}</span>;
}

/** A time, readable and machine-readable. */
export function Time(props: { iso: string | null | undefined }) {
  if (!props.iso) return <span class="muted">never</span>;
  const text = props.iso
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC")
    .replace(/Z$/, " UTC");
  return <time datetime={props.iso}>{text}</time>;
}

/** Links to the previous and next pages, when there are some. */
export function Pager(props: {
  prev?: string | undefined;
  next?: string | undefined;
  label: string;
  words?: [string, string];
}) {
  if (!props.prev && !props.next) return null;
  const [back, forward] = props.words ?? ["Newer", "Older"];
  return (
    <nav class="pager" aria-label={props.label}>
      {props.prev ? <a href={props.prev}>← {back}</a> : null}
      {props.next ? <a href={props.next}>{forward} →</a> : null}
    </nav>
  );
}

/** A notice or error at the top of a page. */
export function Notice(props: { kind: "notice" | "error"; children?: Child }) {
  return (
    <p class={props.kind} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}
