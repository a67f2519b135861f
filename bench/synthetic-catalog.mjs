// Deterministic synthetic MCP tool catalogs for the benchmarks (context size, search). Plain JavaScript so the
// synthetic upstream (a Node process started without a TypeScript loader) and the TypeScript bench share it.
// Names, descriptions and parameters imitate real SaaS MCP servers: `<service>_<verb>_<object>` with a one or two
// sentence description and 2 to 7 typed parameters, some with enums, defaults and one nested filter object.

const SERVICES = [
  ["github", "GitHub", "repository"],
  ["gitlab", "GitLab", "project"],
  ["jira", "Jira", "project"],
  ["linear", "Linear", "workspace"],
  ["slack", "Slack", "workspace"],
  ["discord", "Discord", "server"],
  ["gmail", "Gmail", "mailbox"],
  ["outlook", "Outlook", "mailbox"],
  ["gcal", "Google Calendar", "calendar"],
  ["gdrive", "Google Drive", "drive"],
  ["dropbox", "Dropbox", "account"],
  ["notion", "Notion", "workspace"],
  ["confluence", "Confluence", "space"],
  ["salesforce", "Salesforce", "org"],
  ["hubspot", "HubSpot", "portal"],
  ["zendesk", "Zendesk", "help desk"],
  ["intercom", "Intercom", "workspace"],
  ["stripe", "Stripe", "account"],
  ["shopify", "Shopify", "store"],
  ["quickbooks", "QuickBooks", "company"],
  ["xero", "Xero", "organisation"],
  ["twilio", "Twilio", "account"],
  ["sendgrid", "SendGrid", "account"],
  ["mailchimp", "Mailchimp", "audience"],
  ["asana", "Asana", "workspace"],
  ["trello", "Trello", "board"],
  ["monday", "monday.com", "board"],
  ["airtable", "Airtable", "base"],
  ["figma", "Figma", "team"],
  ["sentry", "Sentry", "organization"],
  ["datadog", "Datadog", "account"],
  ["pagerduty", "PagerDuty", "account"],
  ["k8s", "Kubernetes", "cluster"],
  ["s3", "Amazon S3", "bucket"],
  ["ec2", "Amazon EC2", "region"],
  ["cfdns", "Cloudflare DNS", "zone"],
  ["postgres", "PostgreSQL", "database"],
  ["bigquery", "BigQuery", "dataset"],
  ["snowflake", "Snowflake", "warehouse"],
  ["spotify", "Spotify", "library"],
];

const OBJECTS = [
  ["issue", "issues", ["title", "body", "status", "assignee", "labels", "priority"]],
  ["pull_request", "pull requests", ["title", "body", "status", "base_branch", "reviewers"]],
  ["comment", "comments", ["body", "author", "created_after"]],
  ["user", "users", ["email", "name", "role", "status"]],
  ["team", "teams", ["name", "description", "members"]],
  ["channel", "channels", ["name", "topic", "is_private"]],
  ["message", "messages", ["text", "channel_id", "thread_id", "created_after"]],
  ["file", "files", ["path", "mime_type", "size_bytes", "folder_id"]],
  ["folder", "folders", ["name", "parent_id", "path"]],
  ["invoice", "invoices", ["customer_id", "amount", "currency", "status", "due_date"]],
  ["customer", "customers", ["email", "name", "phone", "country"]],
  ["subscription", "subscriptions", ["customer_id", "plan", "status", "trial_end"]],
  ["payment", "payments", ["amount", "currency", "customer_id", "status"]],
  ["order", "orders", ["customer_id", "status", "total", "currency", "created_after"]],
  ["product", "products", ["name", "price", "currency", "sku", "tags"]],
  ["ticket", "tickets", ["subject", "body", "priority", "status", "assignee"]],
  ["event", "events", ["title", "start_time", "end_time", "attendees", "location"]],
  ["contact", "contacts", ["email", "name", "phone", "company"]],
  ["deal", "deals", ["name", "amount", "stage", "owner", "close_date"]],
  ["task", "tasks", ["title", "assignee", "due_date", "status", "project_id"]],
  ["project", "projects", ["name", "description", "owner", "status"]],
  ["page", "pages", ["title", "body", "parent_id", "tags"]],
  ["record", "records", ["table", "fields", "view"]],
  ["webhook", "webhooks", ["url", "events", "secret_name", "status"]],
  ["alert", "alerts", ["severity", "status", "service", "created_after"]],
  ["incident", "incidents", ["title", "severity", "status", "assignee", "service"]],
  ["deployment", "deployments", ["environment", "version", "status", "created_after"]],
  ["secret", "secrets", ["name", "value", "environment"]],
  ["report", "reports", ["name", "date_from", "date_to", "format"]],
  ["dashboard", "dashboards", ["name", "description", "tags"]],
];

const VERBS = ["list", "get", "create", "update", "delete", "search", "archive", "restore", "assign", "export"];

/** Parameter pool: JSON Schema of each field an object can carry. */
const FIELDS = {
  title: { type: "string", description: "Short human-readable title", maxLength: 256 },
  body: { type: "string", description: "Body text in Markdown" },
  text: { type: "string", description: "Message text; supports mentions and basic formatting" },
  subject: { type: "string", description: "Subject line shown in lists and notifications" },
  status: { type: "string", enum: ["open", "in_progress", "blocked", "done", "closed"], description: "Current state" },
  assignee: { type: "string", description: "User id or email of the person responsible" },
  author: { type: "string", description: "User id of the author" },
  labels: { type: "array", items: { type: "string" }, description: "Labels to attach, by name" },
  tags: { type: "array", items: { type: "string" }, description: "Free-form tags" },
  priority: { type: "string", enum: ["low", "medium", "high", "urgent"], description: "Priority level" },
  severity: { type: "string", enum: ["sev1", "sev2", "sev3", "sev4"], description: "Severity, sev1 being worst" },
  base_branch: { type: "string", description: "Branch the changes merge into", default: "main" },
  reviewers: { type: "array", items: { type: "string" }, description: "Usernames asked to review" },
  email: { type: "string", format: "email", description: "Email address" },
  name: { type: "string", description: "Display name" },
  description: { type: "string", description: "Longer description" },
  role: { type: "string", enum: ["admin", "member", "guest", "billing"], description: "Role in the account" },
  members: { type: "array", items: { type: "string" }, description: "User ids of the members" },
  topic: { type: "string", description: "Topic shown in the header" },
  is_private: { type: "boolean", description: "Only invited members can see it", default: false },
  channel_id: { type: "string", description: "Id of the channel" },
  thread_id: { type: "string", description: "Reply inside this thread instead of the channel" },
  created_after: { type: "string", format: "date-time", description: "Only items created after this ISO time" },
  path: { type: "string", description: "Full path, e.g. /reports/2026/q3.pdf" },
  mime_type: { type: "string", description: "MIME type such as application/pdf" },
  size_bytes: { type: "integer", minimum: 0, description: "Size in bytes" },
  folder_id: { type: "string", description: "Id of the containing folder" },
  parent_id: { type: "string", description: "Id of the parent item" },
  customer_id: { type: "string", description: "Id of the customer" },
  amount: { type: "number", minimum: 0, description: "Amount in the smallest currency unit" },
  total: { type: "number", minimum: 0, description: "Order total" },
  price: { type: "number", minimum: 0, description: "Unit price" },
  currency: { type: "string", enum: ["usd", "eur", "gbp", "jpy", "chf"], description: "ISO currency code" },
  due_date: { type: "string", format: "date", description: "Due date (YYYY-MM-DD)" },
  plan: { type: "string", description: "Plan or price id" },
  trial_end: { type: "string", format: "date-time", description: "End of the trial period" },
  phone: { type: "string", description: "Phone number in E.164 format" },
  country: { type: "string", description: "ISO 3166 country code" },
  company: { type: "string", description: "Company name" },
  sku: { type: "string", description: "Stock keeping unit" },
  start_time: { type: "string", format: "date-time", description: "Start time" },
  end_time: { type: "string", format: "date-time", description: "End time" },
  attendees: { type: "array", items: { type: "string", format: "email" }, description: "Emails of attendees" },
  location: { type: "string", description: "Room or video link" },
  stage: { type: "string", enum: ["lead", "qualified", "proposal", "won", "lost"], description: "Pipeline stage" },
  owner: { type: "string", description: "User id of the owner" },
  close_date: { type: "string", format: "date", description: "Expected close date" },
  project_id: { type: "string", description: "Id of the project" },
  table: { type: "string", description: "Table name or id" },
  fields: { type: "object", additionalProperties: true, description: "Field values by field name" },
  view: { type: "string", description: "Name of a saved view" },
  url: { type: "string", format: "uri", description: "Endpoint URL that receives the events" },
  events: { type: "array", items: { type: "string" }, description: "Event types to subscribe to" },
  secret_name: { type: "string", description: "Name of the signing secret" },
  service: { type: "string", description: "Service name" },
  environment: { type: "string", enum: ["production", "staging", "development"], description: "Target environment" },
  version: { type: "string", description: "Version or git SHA" },
  value: { type: "string", description: "Secret value; write-only" },
  date_from: { type: "string", format: "date", description: "First day included" },
  date_to: { type: "string", format: "date", description: "Last day included" },
  format: { type: "string", enum: ["csv", "json", "pdf"], description: "Output format", default: "csv" },
};

/** "a issue" reads badly in a description a model would see: pick the article by the first letter. */
function withArticle(noun) {
  const words = noun.replaceAll("_", " ");
  return `${/^[aeiou]/.test(words) ? "an" : "a"} ${words}`;
}

const VERB_TEXT = {
  list: (o, s) => `List ${o[1]} in the ${s[1]} ${s[2]}. Results are paginated; pass the returned cursor to continue.`,
  get: (o, s) => `Get one ${o[0].replaceAll("_", " ")} from ${s[1]} by id, with all of its fields.`,
  create: (o, s) => `Create ${withArticle(`new ${o[0]}`)} in ${s[1]}. Returns the created item with its id.`,
  update: (o, s) => `Update fields of ${withArticle(`existing ${o[0]}`)} in ${s[1]}; omitted fields stay unchanged.`,
  delete: (o, s) => `Permanently delete ${withArticle(o[0])} from ${s[1]}. This cannot be undone.`,
  search: (o, s) => `Search ${o[1]} in ${s[1]} by keywords and filters, best matches first.`,
  archive: (o, s) => `Archive ${withArticle(o[0])} in ${s[1]} so it no longer shows in default views.`,
  restore: (o, s) => `Restore an archived or deleted ${o[0].replaceAll("_", " ")} in ${s[1]}.`,
  assign: (o, s) => `Assign ${withArticle(o[0])} in ${s[1]} to a user, replacing the current assignee.`,
  export: (o, s) => `Export ${o[1]} from ${s[1]} as a downloadable file (CSV, JSON or PDF).`,
};

/** A small seeded PRNG (mulberry32): the same seed gives the same catalog on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inputSchema(verb, object, random) {
  const properties = {};
  const required = [];
  const fields = object[2];
  const idName = `${object[0]}_id`;
  if (["get", "update", "delete", "archive", "restore", "assign"].includes(verb)) {
    properties[idName] = { type: "string", description: `Id of the ${object[0].replaceAll("_", " ")}` };
    required.push(idName);
  }
  if (verb === "assign") {
    properties.assignee = FIELDS.assignee;
    required.push("assignee");
  }
  if (verb === "create" || verb === "update") {
    const count = 2 + Math.floor(random() * (fields.length - 1));
    for (const f of fields.slice(0, count)) properties[f] = FIELDS[f];
    if (verb === "create") required.push(fields[0]);
  }
  if (verb === "list" || verb === "search" || verb === "export") {
    if (verb === "search") {
      properties.query = { type: "string", description: "Keywords to match" };
      required.push("query");
    }
    const filterFields = fields.filter((f) => FIELDS[f].enum || FIELDS[f].format);
    if (filterFields.length > 0) {
      properties.filters = {
        type: "object",
        description: "Only return items matching all of these",
        properties: Object.fromEntries(filterFields.map((f) => [f, FIELDS[f]])),
      };
    }
    if (verb === "export") properties.format = FIELDS.format;
    else {
      properties.limit = { type: "integer", minimum: 1, maximum: 100, default: 25, description: "Page size" };
      properties.cursor = { type: "string", description: "Cursor from the previous page" };
    }
  }
  if (verb === "delete" && random() < 0.5) {
    properties.confirm = { type: "boolean", description: "Must be true to delete" };
    required.push("confirm");
  }
  return { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** Every (service, object, verb) combination in a fixed pseudo-random order. */
function combinations(random) {
  const all = [];
  for (const s of SERVICES) for (const o of OBJECTS) for (const v of VERBS) all.push([s, o, v]);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all;
}

/** Most tools one catalog can hold (every combination once). */
export const MAX_SYNTHETIC_TOOLS = SERVICES.length * OBJECTS.length * VERBS.length;

/**
 * `count` MCP tools ({ name, description, inputSchema, annotations }), the same for the same count and seed.
 * Each tool also carries `meta` (service, verb, object) for the search benchmark; strip it before serving.
 */
export function syntheticTools(count, seed = 20261120) {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SYNTHETIC_TOOLS) {
    throw new RangeError(`count must be an integer from 1 to ${MAX_SYNTHETIC_TOOLS}, got ${count}`);
  }
  const random = rng(seed);
  return combinations(random)
    .slice(0, count)
    .map(([s, o, v]) => {
      const readOnly = ["list", "get", "search", "export"].includes(v);
      return {
        name: `${s[0]}_${v}_${o[0]}`,
        description: VERB_TEXT[v](o, s),
        inputSchema: inputSchema(v, o, random),
        annotations: { readOnlyHint: readOnly, destructiveHint: v === "delete" },
        meta: { service: s[1], verb: v, object: o[0] },
      };
    });
}

const VERB_WORDS = {
  list: ["show all", "list the", "what are the"],
  get: ["look up the", "fetch one", "show me the details of the"],
  create: ["make a new", "open a", "add a"],
  update: ["change the", "edit the", "modify the"],
  delete: ["remove the", "delete this", "get rid of the"],
  search: ["find", "search for", "look for"],
  archive: ["archive the", "hide the old", "archive this"],
  restore: ["bring back the", "undelete the", "restore the"],
  assign: ["assign the", "give the", "hand over the"],
  export: ["download all", "export the", "get a csv of the"],
};

/** `count` natural-language queries, each aimed at one tool of the catalog (for latency and a sanity hit rate). */
export function syntheticQueries(tools, count, seed = 7) {
  const random = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const tool = tools[Math.floor(random() * tools.length)];
    const { service, verb, object } = tool.meta;
    const words = VERB_WORDS[verb];
    const phrase = words[Math.floor(random() * words.length)];
    const where = random() < 0.8 ? ` in ${service}` : "";
    out.push({ query: `${phrase} ${object.replaceAll("_", " ")}${where}`, expect: tool.name });
  }
  return out;
}
