/**
 * @module scope/scope-preview
 * The one-line previews `get_context` shows of carried bindings: a value as the program sees it, rendered from the
 * store's encoding (src/scope/scope-store.ts), within a bounded amount of work.
 */

/** Characters of a preview. */
const PREVIEW_CHARS = 120;

/** A short, one-line preview of `text`. */
export function preview(text: string): string {
  // Only the head is read: a value may be megabytes, and the preview is one short line.
  const head = text.slice(0, PREVIEW_CHARS * 8);
  const flat = head.replace(/\s+/g, " ");
  return flat.length > PREVIEW_CHARS || head.length < text.length ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

/** Largest encoded value {@link valuePreview} parses to render it as the program sees it. */
export const MAX_PARSED_PREVIEW_CHARS = 64 * 1024;

/**
 * A carried value as the program sees it (`Date(1970-01-01T00:00:00.005Z)`, `Map(1) { "k" => 1n }`; plain data as
 * compact JSON, as before), not in the store's tagged encoding (`{"$cg":"date","v":5}`), which a model would take
 * for the value itself. Stops adding once the preview is long enough: a value may be 1 MiB encoded.
 */
export function valuePreview(json: string): string {
  // get_context previews every carried value: parsing is kept to values small enough to be cheap (a value may be
  // 16 MiB encoded, a scope 64 MiB); a larger one is previewed from its text, as stored.
  if (json.length > MAX_PARSED_PREVIEW_CHARS) return preview(json);
  let out = "";
  const full = () => out.length >= PREVIEW_CHARS;
  const put = (s: string) => {
    out += s;
  };
  const list = (items: unknown[], each: (item: unknown) => void) => {
    items.forEach((item, i) => {
      if (full()) return;
      if (i > 0) put(",");
      each(item);
    });
  };
  const render = (v: unknown): void => {
    if (full()) return;
    if (v === null || typeof v !== "object") {
      put(JSON.stringify(v) ?? String(v));
      return;
    }
    if (Array.isArray(v)) {
      put("[");
      list(v, render);
      put("]");
      return;
    }
    const o = v as Record<string, unknown>;
    const plain = (p: Record<string, unknown>) => {
      const keys = Object.keys(p);
      if (keys.length === 0) {
        put("{}");
        return;
      }
      put("{");
      list(keys, (k) => {
        put(`${JSON.stringify(k)}:`);
        render(p[k as string]);
      });
      put("}");
    };
    if (!Object.hasOwn(o, "$cg")) {
      plain(o);
      return;
    }
    const items = Array.isArray(o.v) ? (o.v as unknown[]) : [];
    switch (o.$cg) {
      case "undef":
        put("undefined");
        return;
      case "num":
        put(String(o.v));
        return;
      case "big":
        put(`${String(o.v)}n`);
        return;
      case "date":
        put(typeof o.v === "number" ? `Date(${new Date(o.v).toISOString()})` : "Date(Invalid Date)");
        return;
      case "re":
        put(`/${String(o.s)}/${String(o.f)}`);
        return;
      case "map":
        put(`Map(${items.length}) {`);
        list(items, (entry) => {
          const [k, item] = Array.isArray(entry) ? entry : [];
          put(" ");
          render(k);
          put(" => ");
          render(item);
        });
        put(items.length > 0 ? " }" : "}");
        return;
      case "set":
        put(`Set(${items.length}) {`);
        list(items, (item) => {
          put(" ");
          render(item);
        });
        put(items.length > 0 ? " }" : "}");
        return;
      case "typed":
      case "buf": {
        const b64 = String(o.v);
        const bytes = Math.floor((b64.length * 3) / 4) - (b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0);
        put(`${o.$cg === "buf" ? "ArrayBuffer" : String(o.c)} (${bytes} bytes)`);
        return;
      }
      case "obj":
        plain((o.v ?? {}) as Record<string, unknown>);
        return;
      default:
        put(JSON.stringify(o));
        return;
    }
  };
  try {
    render(JSON.parse(json));
  } catch {
    return preview(json);
  }
  return preview(out);
}
