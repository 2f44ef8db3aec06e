// A scripted OpenAI-compatible model server for tests, benchmarks and examples. It is a stand-in
// for a model, not one of our components: answers come from the `reply` callback (default: an
// echo of the last user message), tokens are whitespace-separated words with stable ids, and the
// vLLM extensions the trainer relies on (`return_token_ids`, logprobs) are served the way vLLM
// >= 0.10.2 serves them. Plain JavaScript with no dependencies so every package can use it
// without a build step.
import { createServer } from "node:http";

const TOKEN_PATTERN = /\s*\S+/g;

/** Splits text into "tokens": each non-space run with its leading whitespace. */
export function tokenize(text) {
  return String(text ?? "").match(TOKEN_PATTERN) ?? [];
}

/** A stable token id for one token: FNV-1a of its text, folded into [100, 50100). */
export function tokenIdOf(token) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 100 + (hash % 50000);
}

/** The token ids of a text. */
export function tokenIdsOf(text) {
  return tokenize(text).map(tokenIdOf);
}

/** The prompt text the server tokenizes for a chat request: `role: content` lines. */
export function chatPromptText(messages) {
  return (messages ?? [])
    .map((m) => `${m.role}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "")}`)
    .join("\n");
}

function lastUserMessage(messages) {
  for (let i = (messages ?? []).length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  }
  return "";
}

function defaultReply(request) {
  return request.kind === "completion" ? `echo: ${request.prompt}` : `echo: ${request.lastUserMessage}`;
}

function normaliseReply(value) {
  if (typeof value === "string") return { content: value };
  if (value === null || value === undefined) return { content: "" };
  return value;
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(message, type = "invalid_request_error", code = null) {
  return { error: { message, type, param: null, code } };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function logprobsOf(tokens) {
  return {
    content: tokens.map((token, i) => ({
      token,
      logprob: -((i % 7) + 1) / 10,
      bytes: [...Buffer.from(token, "utf8")],
      top_logprobs: [],
    })),
  };
}

function toolCallsOf(reply, callIndex) {
  return (reply.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${callIndex}_${i}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
    },
  }));
}

/**
 * Starts the scripted server on 127.0.0.1 (an ephemeral port unless `port` is given).
 * @param {import("./index.d.ts").ScriptedOpenAIOptions} [options]
 * @returns {Promise<import("./index.d.ts").ScriptedOpenAI>}
 */
export async function startScriptedOpenAI(options = {}) {
  const reply = options.reply ?? defaultReply;
  const model = options.model ?? "scripted-model";
  const requests = [];
  let callCount = 0;

  async function handleChat(req, res, body, path) {
    if (!Array.isArray(body.messages)) {
      return sendJson(res, 400, errorBody("'messages' is a required property"));
    }
    const callIndex = ++callCount;
    const request = {
      kind: "chat",
      path,
      headers: req.headers,
      body,
      messages: body.messages,
      lastUserMessage: lastUserMessage(body.messages),
      callIndex,
    };
    const r = normaliseReply(await reply(request));
    if (r.delayMs) await sleep(r.delayMs);
    if (r.status && r.status >= 400) {
      return sendJson(res, r.status, errorBody(r.error ?? "scripted error", "server_error"));
    }
    const content = r.content ?? "";
    const toolCalls = toolCallsOf(r, callIndex);
    const finishReason = r.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
    const promptText = chatPromptText(body.messages);
    const completionText =
      content + toolCalls.map((c) => ` ${c.function.name}(${c.function.arguments})`).join("");
    const promptIds = tokenIdsOf(promptText);
    const completionTokens = tokenize(completionText);
    const completionIds = completionTokens.map(tokenIdOf);
    const usage = r.usage ?? {
      prompt_tokens: promptIds.length,
      completion_tokens: completionIds.length,
      total_tokens: promptIds.length + completionIds.length,
    };
    const wantIds = body.return_token_ids === true;
    const wantLogprobs = body.logprobs === true;
    const id = `chatcmpl-scripted-${callIndex}`;
    const created = Math.floor(Date.now() / 1000);
    const responseModel = body.model ?? model;

    if (body.stream === true) {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      const send = (chunk) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      const base = { id, object: "chat.completion.chunk", created, model: responseModel };
      const first = {
        ...base,
        choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
      };
      if (wantIds) first.prompt_token_ids = promptIds;
      send(first);
      const contentTokens = tokenize(content);
      for (const token of contentTokens) {
        const choice = { index: 0, delta: { content: token }, finish_reason: null };
        if (wantIds) choice.token_ids = [tokenIdOf(token)];
        if (wantLogprobs) choice.logprobs = logprobsOf([token]);
        send({ ...base, choices: [choice] });
        if (r.chunkDelayMs) await sleep(r.chunkDelayMs);
      }
      toolCalls.forEach((call, i) => {
        const choice = {
          index: 0,
          delta: { tool_calls: [{ index: i, id: call.id, type: "function", function: call.function }] },
          finish_reason: null,
        };
        if (wantIds) choice.token_ids = tokenIdsOf(` ${call.function.name}(${call.function.arguments})`);
        send({ ...base, choices: [choice] });
      });
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
      if (body.stream_options?.include_usage === true) send({ ...base, choices: [], usage });
      res.write("data: [DONE]\n\n");
      res.end();
      return;
    }

    const message = { role: "assistant", content: toolCalls.length > 0 && content === "" ? null : content };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    const choice = { index: 0, message, finish_reason: finishReason, logprobs: null };
    if (wantLogprobs) choice.logprobs = logprobsOf(completionTokens);
    if (wantIds) choice.token_ids = completionIds;
    const response = {
      id,
      object: "chat.completion",
      created,
      model: responseModel,
      choices: [choice],
      usage,
    };
    if (wantIds) response.prompt_token_ids = promptIds;
    sendJson(res, 200, response);
  }

  async function handleCompletion(req, res, body, path) {
    if (typeof body.prompt !== "string") return sendJson(res, 400, errorBody("'prompt' must be a string"));
    const callIndex = ++callCount;
    const r = normaliseReply(
      await reply({ kind: "completion", path, headers: req.headers, body, prompt: body.prompt, callIndex }),
    );
    if (r.delayMs) await sleep(r.delayMs);
    if (r.status && r.status >= 400)
      return sendJson(res, r.status, errorBody(r.error ?? "scripted error", "server_error"));
    const text = r.content ?? "";
    const promptIds = tokenIdsOf(body.prompt);
    const completionIds = tokenIdsOf(text);
    const choice = { index: 0, text, finish_reason: r.finishReason ?? "stop", logprobs: null };
    if (body.return_token_ids === true) choice.token_ids = completionIds;
    const response = {
      id: `cmpl-scripted-${callIndex}`,
      object: "text_completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? model,
      choices: [choice],
      usage: {
        prompt_tokens: promptIds.length,
        completion_tokens: completionIds.length,
        total_tokens: promptIds.length + completionIds.length,
      },
    };
    if (body.return_token_ids === true) response.prompt_token_ids = promptIds;
    sendJson(res, 200, response);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.replace(/\/+$/, "");
    const route = path.startsWith("/v1/") ? path.slice(3) : path;
    try {
      const text = req.method === "POST" ? await readBody(req) : "";
      let body = null;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          requests.push({ method: req.method, path, headers: req.headers, body: text });
          return sendJson(res, 400, errorBody("request body is not valid JSON"));
        }
      }
      requests.push({ method: req.method, path, headers: req.headers, body });
      if (req.method === "GET" && route === "/models") {
        return sendJson(res, 200, {
          object: "list",
          data: [{ id: model, object: "model", created: 0, owned_by: "scripted" }],
        });
      }
      if (req.method === "POST" && route === "/chat/completions")
        return await handleChat(req, res, body ?? {}, path);
      if (req.method === "POST" && route === "/completions")
        return await handleCompletion(req, res, body ?? {}, path);
      return sendJson(res, 404, errorBody(`no route ${req.method} ${path}`, "not_found"));
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, errorBody(String(err?.message ?? err), "server_error"));
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve(undefined));
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    baseUrl: `${origin}/v1`,
    port,
    model,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve(undefined));
      }),
  };
}
