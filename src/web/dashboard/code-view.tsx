/**
 * @module web/dashboard/code-view
 * Code with line numbers and highlighting (src/web/dashboard/highlight.ts), and the error marked at its line.
 * Rendered through JSX, so every character of the code is escaped.
 */
import { highlightLines } from "./highlight";

/** Shows `code`; with `error`, its line is marked and the message shown right under it. */
export function CodeView(props: { code: string; label: string; error?: { line?: number; message: string } }) {
  const lines = highlightLines(props.code);
  const errorLine = props.error?.line;
  return (
    <section class="scroll" aria-label={props.label}>
      <pre class="code" tabindex={0}>
        <code>
          {lines.map((runs, i) => (
            <>
              <span class={i + 1 === errorLine ? "line error-line" : "line"} id={`L${i + 1}`}>
                <span class="ln" aria-hidden="true">
                  {String(i + 1)}
                </span>
                {runs.map((run) => (run.cls ? <span class={run.cls}>{run.text}</span> : run.text))}
                {"\n"}
              </span>
              {i + 1 === errorLine ? (
                <span class="line-error" role="note">
                  {`^ ${props.error!.message}\n`}
                </span>
              ) : null}
            </>
          ))}
        </code>
      </pre>
    </section>
  );
}

/** A JSON value, pretty-printed and capped (the history already caps results; this caps the page). */
export function JsonView(props: { value: unknown; label: string; max?: number }) {
  const max = props.max ?? 100_000;
  let text = props.value === undefined ? "undefined" : (JSON.stringify(props.value, null, 2) ?? "undefined");
  if (text.length > max) text = `${text.slice(0, max)}\n…[${text.length - max} more characters not shown]`;
  return (
    <section class="scroll" aria-label={props.label}>
      <pre class="json" tabindex={0}>
        {text}
      </pre>
    </section>
  );
}
