/**
 * @module servers/workspace/store-answer
 * How the workspace store answers over RPC, apart from the store (src/servers/workspace/store.ts) so that its
 * callers need not import the Durable Object: refusals travel as values and are thrown again on the caller's side.
 */
import type { DirectoryEntry, WorkspaceAccess } from "./store";

/** Error whose message is safe and useful to show the model (it becomes the tool error text). */
export class WorkspaceError extends Error {
  override name = "WorkspaceError";
}

/**
 * What the store answers over RPC. Its refusals (file not found, bad path) are values, not exceptions: workerd logs
 * an exception thrown out of an RPC method as uncaught (every missing file printed a stack in `npm run dev`'s
 * terminal) and Cloudflare counts it as the object's error. {@link workspaceAccess} turns them back into
 * {@link WorkspaceError}s for the workspace server.
 */
export type StoreAnswer<T> = { ok: true; value: T } | { ok: false; error: string };

export async function answer<T>(work: () => Promise<T>): Promise<StoreAnswer<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (err instanceof WorkspaceError) return { ok: false, error: err.message };
    throw err;
  }
}

/** The store's RPC surface: the object's stub, or a {@link WorkspaceHandle} on it. */
export interface WorkspaceRemote {
  readFile(path: string): Promise<StoreAnswer<string>>;
  writeFile(path: string, content: string): Promise<StoreAnswer<{ path: string; bytes: number }>>;
  listDirectory(path: string): Promise<StoreAnswer<DirectoryEntry[]>>;
  deleteFile(path: string): Promise<StoreAnswer<{ path: string }>>;
  searchFiles(path: string, pattern: string): Promise<StoreAnswer<string[]>>;
}

/** The store's answer as the workspace server uses it: a refusal is thrown as a {@link WorkspaceError}. */
export async function unwrap<T>(pending: Promise<StoreAnswer<T>>): Promise<T> {
  const a = await pending;
  if (!a.ok) throw new WorkspaceError(a.error);
  return a.value;
}

/** `remote` as a {@link WorkspaceAccess}: refusals thrown as {@link WorkspaceError}s. */
export function workspaceAccess(remote: WorkspaceRemote): WorkspaceAccess {
  return {
    readFile: (path) => unwrap(remote.readFile(path)),
    writeFile: (path, content) => unwrap(remote.writeFile(path, content)),
    listDirectory: (path) => unwrap(remote.listDirectory(path)),
    deleteFile: (path) => unwrap(remote.deleteFile(path)),
    searchFiles: (path, pattern) => unwrap(remote.searchFiles(path, pattern)),
  };
}
