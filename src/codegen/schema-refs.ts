/**
 * Local `$ref` resolution for JSON Schema: `#`, `#/$defs/X` (2020-12), `#/definitions/X` (draft-07) and any
 * other JSON Pointer into the same document. Remote references (`https://…`, `other.json#…`) and anchors
 * (`#name`) are not followed: the schema is untrusted and the gateway fetches nothing on its behalf.
 */
import { isRecord } from "./schema-docs.js";

/** Pointers longer than this many segments are not followed. */
const MAX_POINTER_SEGMENTS = 64;

/** The schema `ref` points at inside `root`, or `undefined` when it is not a resolvable local pointer. */
export function resolveRef(root: unknown, ref: string): unknown {
  const segments = pointerSegments(ref);
  if (segments === undefined) return undefined;
  let node: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      node = node[Number(segment)];
    } else if (isRecord(node) && Object.hasOwn(node, segment)) {
      node = node[segment];
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

/** The last pointer segment of `ref` (`"Node"` for `#/$defs/Node`), `""` for the root `#`. */
export function refBaseName(ref: string): string {
  const segments = pointerSegments(ref);
  return segments?.[segments.length - 1] ?? "";
}

/** Decoded segments of a local JSON Pointer fragment (`~1` → `/`, `~0` → `~`, percent-decoding). */
function pointerSegments(ref: string): string[] | undefined {
  if (ref === "#") return [];
  if (!ref.startsWith("#/")) return undefined;
  const raw = ref.slice(2).split("/", MAX_POINTER_SEGMENTS + 1);
  if (raw.length > MAX_POINTER_SEGMENTS) return undefined;
  const segments: string[] = [];
  for (const part of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    segments.push(decoded.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return segments;
}
