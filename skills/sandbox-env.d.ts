// Types of the modules skills import inside the sandbox, so `npm run typecheck` checks the shipped skills.
// They mirror what get_tool_details shows for the built-in workspace server and the gateway module; the skill
// tests run every shipped skill against the real server, which is what keeps this file honest.
declare module "servers/workspace" {
  export function read_file(args: { path: string }): Promise<string>;
  export function write_file(args: { path: string; content: string }): Promise<{ path: string; bytes: number }>;
  export function list_directory(args: { path: string }): Promise<{
    path: string;
    entries: Array<{ name: string; type: "file" | "directory"; size?: number }>;
  }>;
  export function delete_file(args: { path: string }): Promise<{ path: string }>;
  export function search_files(args: { path: string; pattern: string }): Promise<{ matches: string[] }>;
}

declare module "gateway" {
  export const state: {
    get(key: string): Promise<unknown>;
    set(key: string, value: unknown): Promise<void>;
    delete(key: string): Promise<boolean>;
    keys(prefix?: string): Promise<string[]>;
  };
  export function progress(current: number, total?: number, message?: string): Promise<void>;
}
