/**
 * @module web/form-parts
 * Small pieces every form of the web pages uses: the hidden CSRF field (src/web/web-auth.ts checks it) and a
 * one-button POST form for an action on one named item, whose button names the item for screen readers.
 */

/** The session's CSRF token as the hidden field `csrf`. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

/** A one-button POST form for an action on one named item. */
export function Action(props: {
  csrf: string;
  action: string;
  name: string;
  label: string;
  kind?: "secondary" | "danger";
  confirm?: string;
}) {
  return (
    <form class="inline" method="post" action={props.action} data-confirm={props.confirm}>
      <Csrf token={props.csrf} />
      <input type="hidden" name="name" value={props.name} />
      <button type="submit" class={props.kind}>
        {props.label} <span class="visually-hidden">{props.name}</span>
      </button>
    </form>
  );
}
