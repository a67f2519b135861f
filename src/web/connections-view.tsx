/**
 * @module web/connections-view
 * The markup of /connections: the user's servers with their sign-in status and actions, the add-server form, the
 * write-only secrets and the gateway's own servers (read-only). Names, URLs, scopes and status messages come from
 * users and upstreams; JSX escapes every one of them. Every action is a POST form carrying the session's CSRF
 * token, so the page works without JavaScript; destructive ones ask for confirmation when it runs.
 */
import type { Child } from "hono/jsx";
import { assignIdentifiers, toIdentifier } from "../codegen/names";
import { stepUpNeed } from "../registry/step-up-scope";
import type { AuthStatus, SecretView, ServerView } from "./connections-api";
import { Time } from "./dashboard/dashboard-frame";
import { Action, Csrf } from "./form-parts";
import { Secrets } from "./secrets-view";
import { Table } from "./table";

/** A gateway server as shown: configured by the operator, never the headers (they may name credentials). */
export interface GatewayServerView {
  name: string;
  url: string;
  description?: string | undefined;
}

export interface ConnectionsModel {
  csrf: string;
  servers: ServerView[] | { error: string };
  secrets: SecretView[] | { error: string };
  gateway: GatewayServerView[];
  /** `user_servers.enabled`: off, the page lists only the gateway's servers. */
  userServers: boolean;
  notice?: string | undefined;
  error?: string | undefined;
  /** What the add form had, after a refusal (never header values, which may hold a credential). */
  draft?: { name: string; url: string; headerNames: string[] } | undefined;
}

const STATUS_TEXT: Record<AuthStatus, string> = {
  connected: "Connected",
  authorization_required: "Sign-in needed",
  expired: "Sign-in expired",
  error: "Error",
};

const HEADER_ROWS = 3;

function authDescription(server: ServerView): string {
  if (server.auth.type === "oauth") return "OAuth sign-in";
  if (server.auth.type === "headers") return `Headers: ${server.header_names.join(", ")}`;
  return "None";
}

/**
 * The module code imports a server from: its name made an identifier by the codegen's rule (a user server's is
 * `toIdentifier` of its name, `my.ev` is `servers/my_ev`; the gateway's servers are assigned theirs together).
 */
function Module(props: { id: string }) {
  return (
    <div class="module">
      Code imports it from <code>servers/{props.id}</code>
    </div>
  );
}

function ServerRow(props: { server: ServerView; csrf: string }) {
  const { server, csrf } = props;
  const { auth } = server;
  // Only an OAuth server has a sign-in: a server without credentials that asks for one is found by its check
  // (added, or Check again) and becomes an OAuth server; Connect on one that answers would only fail.
  const canSignIn = auth.type === "oauth";
  const signedIn = auth.type === "oauth" && auth.status === "connected";
  // A server without credentials whose check failed (unreachable, or it refused): the check can be made again.
  const canCheck = auth.type === "none" && auth.status === "error";
  return (
    <tr>
      <th scope="row">{server.name}</th>
      <td>
        <code>{server.url}</code>
        <Module id={toIdentifier(server.name)} />
      </td>
      <td>{authDescription(server)}</td>
      <td>
        <span class={`status status-${auth.status}`}>{STATUS_TEXT[auth.status] ?? auth.status}</span>
        {auth.message ? <p class="hint">{auth.message}</p> : null}
        {(auth.step_up ?? []).map((up) => (
          <p class="hint">
            {`${stepUpNeed(up.tools, up.scope)}: `}
            <a href={up.authorization_url}>Sign in to grant it</a>
          </p>
        ))}
        {auth.scopes?.length ? <p class="hint">Scopes: {auth.scopes.join(" ")}</p> : null}
        {auth.expires_at ? (
          <p class="hint">
            Token until <Time iso={auth.expires_at} />
          </p>
        ) : null}
      </td>
      <td>
        <div class="actions">
          {canCheck ? (
            <Action csrf={csrf} action="/connections/check" name={server.name} label="Check again" kind="secondary" />
          ) : null}
          {canSignIn ? (
            <Action
              csrf={csrf}
              action="/connections/connect"
              name={server.name}
              label={
                auth.type === "oauth" && (auth.status === "connected" || auth.status === "expired")
                  ? "Reconnect"
                  : "Connect"
              }
            />
          ) : null}
          {signedIn ? (
            <Action
              csrf={csrf}
              action="/connections/disconnect"
              name={server.name}
              label="Disconnect"
              kind="secondary"
              confirm={`Disconnect ${server.name}? Its tokens are forgotten and revoked where possible.`}
            />
          ) : null}
          <Action
            csrf={csrf}
            action="/connections/remove"
            name={server.name}
            label="Remove"
            kind="danger"
            confirm={`Remove ${server.name}? Your code can no longer call it.`}
          />
        </div>
      </td>
    </tr>
  );
}

function YourServers(props: { model: ConnectionsModel }) {
  const { servers, csrf } = props.model;
  let content: Child;
  if ("error" in servers) content = <p class="error">{servers.error}</p>;
  else if (servers.length === 0) content = <p>You have not added any servers yet.</p>;
  else {
    content = (
      <Table caption="Your servers" columns={["Name", "URL", "Sign-in", "Status", "Actions"]}>
        {servers.map((server) => (
          <ServerRow server={server} csrf={csrf} />
        ))}
      </Table>
    );
  }
  return (
    <section aria-labelledby="your-servers">
      <h2 id="your-servers">Your servers</h2>
      {content}
    </section>
  );
}

function AddServer(props: { model: ConnectionsModel }) {
  const draft = props.model.draft;
  const rows = Array.from({ length: HEADER_ROWS }, (_, i) => i);
  return (
    <section aria-labelledby="add-server">
      <h2 id="add-server">Add a server</h2>
      <form method="post" action="/connections/add">
        <Csrf token={props.model.csrf} />
        <label for="server-name">Name</label>
        <input id="server-name" name="name" type="text" required maxlength={64} value={draft?.name ?? ""} />
        <p class="hint">
          Letters, digits, '_', '.' and '-'. Your code imports it from servers/&lt;name&gt;, with '.' and '-' written as
          '_' (my.ev is servers/my_ev); the table above shows each server's module.
        </p>
        <label for="server-url">URL</label>
        <input id="server-url" name="url" type="url" required value={draft?.url ?? ""} placeholder="https://…/mcp" />
        <fieldset>
          <legend>Headers (optional)</legend>
          <p class="hint">
            For servers that take an API token. Store the token under Secrets below and reference it, for example{" "}
            <code>
              Bearer ${"{"}secret:GITHUB_TOKEN{"}"}
            </code>
            . Leave empty for servers that sign in with OAuth.
          </p>
          {rows.map((i) => (
            <div class="header-row">
              <label for={`header-name-${i}`}>Header {i + 1} name</label>
              <input id={`header-name-${i}`} name="header_name" type="text" value={draft?.headerNames[i] ?? ""} />
              <label for={`header-value-${i}`}>Header {i + 1} value</label>
              <input id={`header-value-${i}`} name="header_value" type="text" autocomplete="off" />
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Add server</button>
        </div>
      </form>
    </section>
  );
}

function GatewayServers(props: { servers: GatewayServerView[] }) {
  const ids = assignIdentifiers(props.servers.map((s) => s.name));
  return (
    <section aria-labelledby="gateway-servers">
      <h2 id="gateway-servers">Gateway servers</h2>
      <p>Set up by the operator for every user; read-only here.</p>
      {props.servers.length === 0 ? (
        <p>None.</p>
      ) : (
        <Table caption="Gateway servers" columns={["Name", "URL", "Description"]}>
          {props.servers.map((server) => (
            <tr>
              <th scope="row">{server.name}</th>
              <td>
                <code>{server.url}</code>
                <Module id={ids.get(server.name) ?? toIdentifier(server.name)} />
              </td>
              <td>{server.description ?? ""}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

/** The step between Connect and the authorization server: a link the page script follows at once. */
export function ContinueSignIn(props: { name: string; href: string }) {
  return (
    <>
      <h1>Connect {props.name}</h1>
      <p>
        The gateway sends you to the sign-in page of the authorization server that {props.name} trusts. After you allow
        access, you come back to the gateway.
      </p>
      <p>
        <a class="button" href={props.href} data-follow="now">
          Continue to sign in
        </a>
      </p>
      <p>
        <a href="/connections">Cancel</a>
      </p>
    </>
  );
}

/** The body of /connections. */
export function ConnectionsView(props: { model: ConnectionsModel }) {
  const { model } = props;
  return (
    <>
      <h1>Connections</h1>
      {model.notice ? (
        <p class="notice" role="status">
          {model.notice}
        </p>
      ) : null}
      {model.error ? (
        <p class="error" role="alert">
          {model.error}
        </p>
      ) : null}
      {model.userServers ? (
        <>
          <YourServers model={model} />
          <AddServer model={model} />
          <Secrets csrf={model.csrf} secrets={model.secrets} />
        </>
      ) : (
        <p>The operator has not enabled servers of your own on this gateway (user_servers.enabled).</p>
      )}
      <GatewayServers servers={model.gateway} />
    </>
  );
}
