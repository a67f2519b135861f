/**
 * @module web/dashboard/timeline
 * An execution's tool calls drawn as a timeline (inline SVG): one row per call, its bar from the call's start to
 * its end on the execution's time axis, coloured by status (classes styled by dashboard.css, since the CSP
 * forbids inline styles), with the approval decision beside it. Every text in it is JSX-escaped. A text list of
 * the same calls follows in a disclosure, for screen readers and copying.
 */
import type { ToolCallRecord } from "../../sandbox/execution-types";

/** Rows drawn; the rest are counted below the picture. */
export const MAX_TIMELINE_ROWS = 200;
const WIDTH = 760;
const LABEL = 200;
const TRAIL = 110;
const ROW = 22;
const AXIS = 24;
const MAX_LABEL_CHARS = 30;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

function describe(call: ToolCallRecord): string {
  const parts = [
    `${call.server}.${call.tool}`,
    call.status,
    `started at +${ms(call.started_ms)}`,
    `took ${ms(call.ms)}`,
  ];
  if (call.approval) parts.push(`${call.approval.decision} by ${call.approval.by} at ${call.approval.at}`);
  if (call.replayed) parts.push("replayed from the earlier attempt");
  if (call.count && call.count > 1) parts.push(`${call.count} identical calls`);
  if (call.error) parts.push(call.error);
  return parts.join(", ");
}

/** The timeline of `calls` over an execution of `durationMs` (for a running one, the time so far). */
export function Timeline(props: { calls: readonly ToolCallRecord[]; durationMs: number; id?: string }) {
  const { calls } = props;
  if (calls.length === 0) return <p class="muted">No tool calls.</p>;
  const rows = calls.slice(0, MAX_TIMELINE_ROWS);
  const total = Math.max(1, props.durationMs, ...rows.map((c) => c.started_ms + c.ms));
  const chart = WIDTH - LABEL - TRAIL;
  const height = AXIS + rows.length * ROW + 4;
  const x = (t: number) => LABEL + (t / total) * chart;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure class="timeline" id={props.id}>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH}
        height={height}
        role="img"
        aria-label={`Timeline of ${calls.length} tool call${calls.length === 1 ? "" : "s"} over ${ms(total)}`}
      >
        {ticks.map((f) => (
          <g class="tick">
            <line x1={x(f * total)} x2={x(f * total)} y1={AXIS - 6} y2={height} />
            <text x={x(f * total)} y={AXIS - 10} text-anchor={f === 1 ? "end" : f === 0 ? "start" : "middle"}>
              {ms(f * total)}
            </text>
          </g>
        ))}
        {rows.map((call, i) => {
          const y = AXIS + i * ROW;
          const left = x(call.started_ms);
          const width = Math.max(3, (call.ms / total) * chart);
          const decision = call.approval && call.approval.decision !== "allowed" ? call.approval.decision : undefined;
          return (
            <g class={`call s-${call.status}${call.replayed ? " replayed" : ""}`}>
              <title>{describe(call)}</title>
              <text class="label" x={LABEL - 8} y={y + 15} text-anchor="end">
                {clip(`${call.server}.${call.tool}`, MAX_LABEL_CHARS)}
              </text>
              <rect class="bar" x={left} y={y + 4} width={width} height={ROW - 8} rx={3} />
              <text class="note" x={Math.min(left + width + 6, WIDTH - TRAIL + 6)} y={y + 15}>
                {decision ? `${decision}${call.status === "ok" ? "" : ` · ${call.status}`}` : call.status}
                {call.count && call.count > 1 ? ` ×${call.count}` : ""}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {calls.length > rows.length ? `${calls.length - rows.length} more calls not drawn. ` : ""}
        <details>
          <summary>Tool calls as text</summary>
          <ol class="calls">
            {calls.map((call) => (
              <li class={`s-${call.status}`}>{describe(call)}</li>
            ))}
          </ol>
        </details>
      </figcaption>
    </figure>
  );
}
