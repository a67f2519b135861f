/**
 * @module web/table
 * The one table shape of the web pages: a caption for screen readers (visually hidden: the heading above already
 * says it to sighted users), a header row of column headers, and the rows the caller renders (each starting with
 * its row header).
 */
import type { Child } from "hono/jsx";

/** A table with a hidden caption and column headers; `columns` entries that are null are left out. */
export function Table(props: { caption: string; columns: readonly (string | null)[]; children?: Child }) {
  return (
    <table>
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns
            .filter((c) => c !== null)
            .map((c) => (
              <th scope="col">{c}</th>
            ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
