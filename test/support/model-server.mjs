// An OpenAI-compatible chat-completions server for run_task tests. NO MODEL RUNS HERE: these machines cannot run
// one, so every answer is scripted by the test (POST /script) and replayed in order per model name. The tests check
// the pipeline's mechanics (what the prompts carry, retries, limits, secrets), never the quality of a model.
//
//   POST /script    { "<model>": [answer, ...], ... }  replaces the script and clears the request log
//   GET  /requests  every chat request received since the last script: { model, messages, authorization }
//   POST /v1/chat/completions   answers the next scripted answer for body.model
//
// An answer is a string (the message content) or { content?, delay_ms?, status?, raw? }: `raw` is sent as the
// body verbatim (garbage), `status` sets the HTTP status. An exhausted script answers 500.
import { createServer } from "node:http";

let script = new Map();
let requests = [];

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  if (req.method === "GET") {
    res.setHeader("content-type", "application/json");
    return res.end(JSON.stringify(url.pathname === "/requests" ? requests : { ok: true }));
  }
  const body = await readBody(req);
  if (url.pathname === "/script") {
    script = new Map(Object.entries(JSON.parse(body)));
    requests = [];
    return res.end("{}");
  }
  if (url.pathname !== "/v1/chat/completions") {
    res.statusCode = 404;
    return res.end("not found");
  }
  const request = JSON.parse(body);
  requests.push({ model: request.model, messages: request.messages, authorization: req.headers.authorization ?? null });
  const queue = script.get(request.model) ?? [];
  const next = queue.shift();
  if (next === undefined) {
    res.statusCode = 500;
    return res.end(JSON.stringify({ error: { message: `script exhausted for model ${request.model}` } }));
  }
  const answer = typeof next === "string" ? { content: next } : next;
  if (answer.delay_ms) await new Promise((r) => setTimeout(r, answer.delay_ms));
  res.statusCode = answer.status ?? 200;
  res.setHeader("content-type", "application/json");
  if (answer.raw !== undefined) return res.end(answer.raw);
  res.end(
    JSON.stringify({
      id: "chatcmpl-scripted",
      object: "chat.completion",
      model: request.model,
      choices: [{ index: 0, message: { role: "assistant", content: answer.content ?? "" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    }),
  );
});
server.listen(Number(process.env.PORT), "127.0.0.1");
