/**
 * @module web/secrets-view
 * The Secrets section of /connections: the user's secrets by name and time set, never their values (write-only:
 * to change one, save it again), a delete button each, and the form that stores one.
 */
import type { Child } from "hono/jsx";
import type { SecretView } from "./connections-api";
import { Time } from "./dashboard/dashboard-frame";
import { Action, Csrf } from "./form-parts";
import { Table } from "./table";

/** The section; `secrets` is the list, or why it could not be read. */
export function Secrets(props: { csrf: string; secrets: SecretView[] | { error: string } }) {
  const { secrets, csrf } = props;
  let list: Child;
  if ("error" in secrets) list = <p class="error">{secrets.error}</p>;
  else if (secrets.length === 0) list = <p>No secrets stored.</p>;
  else {
    list = (
      <Table caption="Your secrets" columns={["Name", "Set", "Allowed hosts", "Actions"]}>
        {secrets.map((secret) => (
          <tr>
            <th scope="row">
              <code>{secret.name}</code>
            </th>
            <td>
              <Time iso={secret.updated_at} />
            </td>
            <td>
              {secret.hosts.length ? secret.hosts.join(", ") : "none yet: save the name with the hosts to use it"}
            </td>
            <td>
              <Action
                csrf={csrf}
                action="/connections/secrets/delete"
                name={secret.name}
                label="Delete"
                kind="danger"
                confirm={`Delete the secret ${secret.name}? Servers whose headers use it stop working.`}
              />
            </td>
          </tr>
        ))}
      </Table>
    );
  }
  return (
    <section aria-labelledby="secrets">
      <h2 id="secrets">Secrets</h2>
      <p>
        Tokens your servers' headers reference as{" "}
        <code>
          ${"{"}secret:NAME{"}"}
        </code>
        . A stored secret is never shown again: to change one, save it again under the same name. It is sent only to the
        allowed hosts you give (required for a new secret; saving again without them keeps them), so a server the model
        adds on another host never receives it. To change only the hosts, save the name with an empty value.
      </p>
      {list}
      <form method="post" action="/connections/secrets">
        <Csrf token={csrf} />
        <label for="secret-name">Secret name</label>
        <input id="secret-name" name="name" type="text" required maxlength={64} pattern="[A-Za-z_][A-Za-z0-9_]*" />
        <label for="secret-value">Secret value</label>
        <input id="secret-value" name="value" type="password" autocomplete="off" />
        <label for="secret-hosts">Allowed hosts</label>
        <input
          id="secret-hosts"
          name="hosts"
          type="text"
          placeholder="api.example.com, other.example.com (required for a new secret)"
        />
        <div class="actions">
          <button type="submit">Save secret</button>
        </div>
      </form>
    </section>
  );
}
