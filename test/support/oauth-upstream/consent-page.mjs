// The consent page of the test OAuth upstream: a real HTML form (user name, Allow, Deny) that a headless browser
// can fill in and click, posting to /consent. Every value from the request is escaped.

const escapeHtml = (value) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );

/**
 * The page asking the user to let `client` act for them on `resource` with `scopes`.
 * @param {{ id: string, client: { client_id: string, client_name?: string }, scopes: string[], resource: string, subject: string }} request
 */
export function consentPage({ id, client, scopes, resource, subject }) {
  const name = escapeHtml(client.client_name || client.client_id);
  const items = scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join("");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize ${name}</title></head>
<body>
<main>
<h1>Authorize ${name}</h1>
<p><strong>${name}</strong> asks to access <code>${escapeHtml(resource)}</code> on your behalf with these scopes:</p>
<ul>${items}</ul>
<form method="post" action="/consent">
<input type="hidden" name="request" value="${escapeHtml(id)}">
<label for="user">Signed in as</label>
<input id="user" name="user" value="${escapeHtml(subject)}" autocomplete="username">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</main>
</body>
</html>`;
}
