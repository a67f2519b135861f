import { startGatewayWorker } from "./lib/workers";
import { connectClient, execute } from "./lib/mcp-client";
import { time } from "./lib/stats";
const gw = await startGatewayWorker({ servers: [{ name: "workspace", url: "builtin:workspace" }], limits: { max_tool_calls: 1000 } });
try {
  const c = await connectClient(new URL("/mcp", gw.url));
  for (let i = 0; i < 3; i++) await execute(c, "return 1;");
  const h = [], l = [], e = [], d = [];
  for (let i = 0; i < 10; i++) {
    h.push((await time(() => fetch(new URL("/health", gw.url)).then((r) => r.text()))).ms);
    l.push((await time(() => c.listTools())).ms);
    const r = await time(() => execute(c, "return 1;"));
    e.push(r.ms); d.push(r.value.duration_ms);
  }
  console.log({ health: h.map(Math.round), list: l.map(Math.round), exec: e.map(Math.round), dur: d });
  await c.close();
} finally { await gw.dispose(); }
