/**
 * @module index
 * Worker entry: the HTTP app, the session and workspace Durable Objects, and the RPC entrypoints that the
 * sandbox (ToolBridge) and the registry (BuiltinServers) reach through `ctx.exports`.
 */
import { app } from "./app";

export { ToolBridge } from "./sandbox/tool-bridge";
export { BuiltinServers } from "./servers/builtin-servers";
export { WorkspaceStore } from "./servers/workspace/store";
export { SessionObject } from "./session/session-object";

export default app;
