// One client process of bench/memory.mjs: runs `jobs` rollout cycles, `concurrency` at a time,
// the way one process of the Python micro benchmark's
// "dequeue-update-attempt" mode runs one: dequeue with its own worker id, allocate 4 span sequence
// ids, add 4 spans of 32 random string attributes, mark the attempt succeeded. It sends the requests
// the Python client sends for those calls (one `/spans/next` per id, one `POST /spans` per span),
// through bench/http-client.mjs, so the two shared cores go to the server rather than to response
// validation in the clients.
//
//   node bench/memory-client.mjs <url> <processIndex> <jobs> <concurrency>
//
// Prints one JSON line: {"done": n, "span_json_bytes": n}.
import { createCheapClient } from "./http-client.mjs";

const [url, processIndexText, jobsText, concurrencyText] = process.argv.slice(2);
const processIndex = Number(processIndexText);
const jobs = Number(jobsText);
const concurrency = Number(concurrencyText);

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const randomInt = (min, max) => min + Math.floor(Math.random() * (max - min + 1));
function randomText(length) {
  let text = "";
  for (let i = 0; i < length; i++) text += LETTERS[Math.floor(Math.random() * LETTERS.length)];
  return text;
}

/** 32 attributes with random keys of 3–20 characters and random string values of 5–300. */
function randomAttributes() {
  const attributes = {};
  while (Object.keys(attributes).length < 32)
    attributes[randomText(randomInt(3, 20))] = randomText(randomInt(5, 300));
  return attributes;
}

function makeSpan(rolloutId, attemptId, sequenceId) {
  const traceId = sequenceId.toString(16).padStart(32, "0");
  const spanId = sequenceId.toString(16).padStart(16, "0");
  return {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: sequenceId,
    trace_id: traceId,
    span_id: spanId,
    parent_id: null,
    name: `micro-span-${sequenceId}`,
    status: { status_code: "OK", description: null },
    attributes: randomAttributes(),
    events: [],
    links: [],
    start_time: null,
    end_time: null,
    context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  };
}

// One socket per concurrent cycle, as the original had one connection per client process.
const client = createCheapClient(url, concurrency);
const P = "/v1/agl";
let next = 0;
let done = 0;
let spanJsonBytes = 0;

async function lane() {
  for (;;) {
    const job = next++;
    if (job >= jobs) return;
    const claimed = await client.post(`${P}/queues/rollouts/dequeue`, {
      limit: 1,
      worker_id: `Worker-${processIndex}-${job}`,
    });
    if (claimed.length === 0) return;
    const { rollout_id: rolloutId, attempt } = claimed[0];
    const sequenceIds = [];
    for (let i = 0; i < 4; i++) {
      const next = await client.post(`${P}/spans/next`, {
        rollout_id: rolloutId,
        attempt_id: attempt.attempt_id,
      });
      sequenceIds.push(next.sequence_id);
    }
    const spans = sequenceIds.map((sequenceId) => makeSpan(rolloutId, attempt.attempt_id, sequenceId));
    for (const span of spans) spanJsonBytes += Buffer.byteLength(JSON.stringify(span));
    const stored = await Promise.all(spans.map((span) => client.post(`${P}/spans`, span)));
    if (stored.some((span) => span === null)) throw new Error("a span was not stored");
    await client.post(`${P}/rollouts/${rolloutId}/attempts/${attempt.attempt_id}`, { status: "succeeded" });
    done++;
  }
}

await Promise.all(Array.from({ length: concurrency }, lane));
client.close();
process.stdout.write(`${JSON.stringify({ done, span_json_bytes: spanJsonBytes })}\n`);
