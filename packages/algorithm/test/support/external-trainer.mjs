// Plays an external RL trainer (the part VERL's AgentModeDaemon plays in Python) against a live
// store server, with plain fetch calls only: the HTTP flow the package README documents.
// Input (environment): AGL_STORE_URL, AGL_PROXY_URL, AGL_TASKS (JSON list), AGL_SAMPLES (per task).
// Output: one JSON line on stdout with what the trainer saw.

const store = `${process.env.AGL_STORE_URL}/v1/agl`;
const proxyUrl = process.env.AGL_PROXY_URL;
const tasks = JSON.parse(process.env.AGL_TASKS ?? "[]");
const samples = Number(process.env.AGL_SAMPLES ?? "1");
const llmTimeoutSeconds = 120;

async function call(method, path, body) {
  const response = await fetch(`${store}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

// 1. Publish the policy as a ProxyLLM resource (the runner rewrites its endpoint per rollout).
const resources = await call("POST", "/resources", {
  main_llm: {
    resource_type: "proxy_llm",
    endpoint: proxyUrl,
    model: "policy",
    api_key: null,
    sampling_parameters: { temperature: 0.7 },
  },
});

// 2. Enqueue every sample with its metadata, then set the config as VERL does.
const enqueued = await call("POST", "/queues/rollouts/enqueue", {
  rollouts: tasks.flatMap((task, index) =>
    Array.from({ length: samples }, () => ({
      input: task,
      mode: "train",
      resources_id: resources.resources_id,
      metadata: { data_id: `d-${index}`, is_train: true },
    })),
  ),
});
for (const rollout of enqueued) {
  await call("POST", `/rollouts/${rollout.rollout_id}`, {
    config: { unresponsive_seconds: llmTimeoutSeconds, timeout_seconds: llmTimeoutSeconds },
  });
}
const ids = enqueued.map((r) => r.rollout_id);

// 3. Poll until every rollout finished (non-blocking checks, as the Python daemon does).
let finished = [];
for (let polls = 0; finished.length < ids.length; polls++) {
  if (polls > 600) throw new Error("rollouts did not finish");
  finished = await call("POST", "/waits/rollouts", { rollout_ids: ids, timeout: 0 });
  if (finished.length < ids.length) await new Promise((r) => setTimeout(r, 100));
}

// 4. Read each rollout's latest attempt: raw spans, and ready-made triplets in one request.
const spans = {};
for (const id of ids) {
  const page = await call("GET", `/spans?rollout_id=${encodeURIComponent(id)}&attempt_id=latest`);
  spans[id] = page.items.map((s) => ({ name: s.name, attempt_id: s.attempt_id, attributes: s.attributes }));
}
const triplets = await call("POST", "/triplets/search", { rollout_ids: ids, attempt_id: "latest" });
const single = await call("GET", `/rollouts/${encodeURIComponent(ids[0])}/triplets`);

process.stdout.write(
  `${JSON.stringify({ resourcesId: resources.resources_id, enqueued, finished, spans, triplets, single })}\n`,
);
