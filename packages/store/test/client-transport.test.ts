import { describe, expect, it } from "vitest";
import { LightningStoreClient } from "../src/client/store-client.js";
import { expectRejection } from "../src/testing/harness.js";
import { useScriptedClients } from "./support/scripted-client.js";
import { deadUrl, HEALTH_PATH, healthy, type Reply, type ScriptedServer } from "./support/scripted-server.js";
import { ROLLOUT, STATISTICS } from "./support/wire-fixtures.js";

// Transport behaviour of LightningStoreClient (docs/store-contract.md §5.1): retries, health probes, error
// classification, timeouts, keep-alive, auth and close, against scripted loopback servers.

const { setup, track } = useScriptedClients();

const rejection = expectRejection;

/** `req` for a store call, `probe` for a health probe, in arrival order. */
function timeline(server: ScriptedServer): string[] {
  return server.requests.map((r) => (r.path === HEALTH_PATH ? "probe" : "req"));
}

describe("LightningStoreClient transport: retries", () => {
  it("retries a 500 four times with a probe after each try, sleeping retryDelays in between (Python timeline)", async () => {
    const warnings: string[] = [];
    const { server, client } = await setup(
      healthy(() => ({ status: 500, json: { detail: "Internal server error", error_type: "KeyError" } })),
      {
        retryDelays: [0.05, 0.1, 0.15],
        healthRetryDelays: [0.01, 0.01],
        logger: { debug: () => {}, info: () => {}, warn: (m) => warnings.push(m), error: () => {} },
      },
    );
    const error = await rejection(client.statistics());
    expect(timeline(server)).toEqual(["req", "probe", "req", "probe", "req", "probe", "req", "probe"]);
    expect(error.code).toBe("internal");
    expect(error.status).toBe(500);
    expect(error.details).toMatchObject({ errorType: "KeyError", detail: "Internal server error", tries: 4 });
    // Each retry waits its own delay, in order (that the wait is a real, abortable sleep is the
    // "aborts a backoff sleep" test below).
    expect(warnings.map((m) => / retry (\d) of 3 in ([\d.]+) s$/.exec(m)?.slice(1))).toEqual([
      ["1", "0.05"],
      ["2", "0.1"],
      ["3", "0.15"],
    ]);
  });

  it("succeeds once a transient 503 goes away", async () => {
    let n = 0;
    const { server, client } = await setup(
      healthy(() => (++n <= 2 ? { status: 503, json: { detail: "busy" } } : { json: STATISTICS })),
    );
    await expect(client.statistics()).resolves.toMatchObject({ name: "InMemoryLightningStore" });
    expect(server.calls()).toHaveLength(3);
    expect(server.probes()).toHaveLength(2);
  });

  it("retries 408 like a 5xx", async () => {
    let n = 0;
    const { server, client } = await setup(
      healthy(() => (++n === 1 ? { status: 408 } : { json: STATISTICS })),
    );
    await client.statistics();
    expect(timeline(server)).toEqual(["req", "probe", "req"]);
  });

  it("gives up after one try when every health probe fails", async () => {
    const { server, client } = await setup(() => ({ status: 503, json: { detail: "down" } }), {
      healthRetryDelays: [0.01, 0.02],
    });
    const error = await rejection(client.statistics());
    expect(timeline(server)).toEqual(["req", "probe", "probe", "probe"]);
    expect(error.code).toBe("unavailable");
    expect(error.status).toBe(503);
    expect(error.message).toBe("down");
  });

  it("counts a probe that succeeds after failing as healthy", async () => {
    let probes = 0;
    let calls = 0;
    const { server, client } = await setup(
      (req) => {
        if (req.path === HEALTH_PATH) return ++probes < 3 ? { status: 502 } : { json: { status: "ok" } };
        return ++calls === 1 ? { status: 500 } : { json: STATISTICS };
      },
      { healthRetryDelays: [0.01, 0.01, 0.01] },
    );
    await client.statistics();
    expect(timeline(server)).toEqual(["req", "probe", "probe", "probe", "req"]);
  });

  it("retryDelays [] makes a single try (after a probe, as in Python)", async () => {
    const { server, client } = await setup(
      healthy(() => ({ status: 500 })),
      { retryDelays: [] },
    );
    const error = await rejection(client.statistics());
    expect(timeline(server)).toEqual(["req", "probe"]);
    expect(error.code).toBe("internal");
    expect(error.message).toContain("HTTP 500");
  });

  it("healthRetryDelays [] skips probing and retries straight away", async () => {
    const { server, client } = await setup(
      healthy(() => ({ status: 500 })),
      { healthRetryDelays: [] },
    );
    await rejection(client.statistics());
    expect(timeline(server)).toEqual(["req", "req", "req", "req"]);
  });

  it("retries a 2xx that is not JSON, then reports it as internal", async () => {
    const { server, client } = await setup(
      healthy(() => ({ text: "<html>proxy</html>", contentType: "text/html" })),
      {
        retryDelays: [0.01],
      },
    );
    const error = await rejection(client.statistics());
    expect(server.calls()).toHaveLength(2);
    expect(error.code).toBe("internal");
    expect(error.message).toContain("text/html");
  });

  it("does not retry a 2xx with malformed JSON", async () => {
    const { server, client } = await setup(
      healthy(() => ({ text: "{not json", contentType: "application/json" })),
    );
    const error = await rejection(client.statistics());
    expect(server.calls()).toHaveLength(1);
    expect(error.code).toBe("internal");
    expect(error.message).toContain("malformed JSON");
  });

  it("retries a dropped connection and reports a server that never answers as unavailable", async () => {
    const { server, client } = await setup(
      healthy(() => ({ destroy: true })),
      { retryDelays: [0.01, 0.01] },
    );
    const error = await rejection(client.statistics());
    expect(server.calls()).toHaveLength(3);
    expect(error.code).toBe("unavailable");
    expect(error.status).toBeUndefined();
  });

  it("reports a refused connection as unavailable after probing", async () => {
    const url = await deadUrl();
    const client = new LightningStoreClient({ url, retryDelays: [0.01], healthRetryDelays: [0.01] });
    track(client);
    const error = await rejection(client.statistics());
    expect(error.code).toBe("unavailable");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.details).toMatchObject({ method: "GET", path: "/v1/agl/statistics", tries: 1 });
  });
});

describe("LightningStoreClient transport: 4xx fail at once", () => {
  const cases: [number, Reply["json"], string, string][] = [
    [
      400,
      { detail: "status is invalid; it cannot be a null value." },
      "invalid_argument",
      "status is invalid; it cannot be a null value.",
    ],
    [401, { detail: "Invalid API key" }, "unauthorized", "Invalid API key"],
    [403, { detail: "Forbidden" }, "unauthorized", "Forbidden"],
    [
      404,
      { detail: "Rollout ro-x not found", error_type: "ValueError" },
      "not_found",
      "Rollout ro-x not found",
    ],
    [409, { detail: "Conflict" }, "conflict", "Conflict"],
    [
      410,
      { detail: "Spans for rollout ro-x have been evicted", error_type: "RuntimeError" },
      "gone",
      "evicted",
    ],
    [413, { detail: "Payload too large" }, "invalid_argument", "Payload too large"],
    [
      422,
      {
        detail: [
          { type: "missing", loc: ["body", "rollouts", 0, "input"], msg: "Field required", input: {} },
          {
            type: "literal_error",
            loc: ["body", "rollouts", 1, "mode"],
            msg: "Input should be 'train', 'val' or 'test'",
            input: "prod",
          },
        ],
      },
      "invalid_argument",
      "rollouts.0.input: Field required; rollouts.1.mode: Input should be 'train', 'val' or 'test' (got \"prod\")",
    ],
  ];
  for (const [status, json, code, message] of cases) {
    it(`${status} → ${code}, no retry, no probe, status and detail kept`, async () => {
      const { server, client } = await setup(healthy(() => ({ status, json })));
      const error = await rejection(client.enqueueRollout({ input: 1 }));
      expect(timeline(server)).toEqual(["req"]);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.message).toContain(message);
      expect((error.details as { detail: unknown }).detail).toEqual((json as { detail: unknown }).detail);
    });
  }

  it("a 4xx without a JSON body still names the call and the status", async () => {
    const { client } = await setup(healthy(() => ({ status: 405, text: "nope" })));
    const error = await rejection(client.statistics());
    expect(error.code).toBe("unsupported");
    expect(error.message).toBe("GET /v1/agl/statistics failed with HTTP 405 Method Not Allowed");
    expect(error.details).toMatchObject({ body: "nope" });
  });
});

describe("LightningStoreClient transport: responses are parsed with the wire schemas", () => {
  it("a malformed object is an internal error naming the field", async () => {
    const { client } = await setup(healthy(() => ({ json: { ...ROLLOUT, rollout_id: 7, status: "bogus" } })));
    const error = await rejection(client.getRolloutById("ro-1"));
    expect(error.code).toBe("internal");
    expect(error.message).toContain("GET /v1/agl/rollouts/ro-1");
    expect(error.message).toContain("rollout_id");
    expect(error.message).toContain("status");
  });

  it("a malformed nested attempt names its path", async () => {
    const { client } = await setup(
      healthy(() => ({
        json: [
          {
            ...ROLLOUT,
            attempt: { rollout_id: "ro-000000000001", attempt_id: "at-1", sequence_id: "one", start_time: 1 },
          },
        ],
      })),
    );
    const error = await rejection(client.dequeueRollout());
    expect(error.code).toBe("internal");
    expect(error.message).toContain("0.attempt.sequence_id");
  });
});

describe("LightningStoreClient transport: timeouts", () => {
  it("a request without an answer fails with timeout after requestTimeout", async () => {
    const { client } = await setup(
      healthy(() => ({ hang: true })),
      { requestTimeout: 0.2, retryDelays: [] },
    );
    const error = await rejection(client.statistics());
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("0.2 s");
  });

  it("an answer that takes a while but arrives within requestTimeout is not cut", async () => {
    const { server, client } = await setup(
      healthy(() => ({ json: STATISTICS, delayMs: 100 })),
      {
        requestTimeout: 5,
        retryDelays: [],
      },
    );
    await expect(client.statistics()).resolves.toMatchObject({ total_rollouts: 0 });
    expect(timeline(server)).toEqual(["req"]);
  });

  it("a slow body counts against the timeout too, and the timed-out call is retried", async () => {
    let n = 0;
    const { server, client } = await setup(
      healthy(() => (++n === 1 ? { hang: true } : { json: STATISTICS })),
      {
        requestTimeout: 0.2,
      },
    );
    await client.statistics();
    expect(timeline(server)).toEqual(["req", "probe", "req"]);
  });

  it("requestTimeout null waits as long as the server takes", async () => {
    const { client } = await setup(
      healthy(() => ({ json: STATISTICS, delayMs: 300 })),
      {
        requestTimeout: null,
        retryDelays: [],
      },
    );
    await expect(client.statistics()).resolves.toMatchObject({ total_rollouts: 0 });
  });

  it("a health probe that hangs is bounded by connectionTimeout", async () => {
    const { server, client } = await setup(
      (req) => (req.path === HEALTH_PATH ? { hang: true } : { status: 500 }),
      { connectionTimeout: 0.1, healthRetryDelays: [0.01] },
    );
    await rejection(client.statistics());
    // Both probes hung: only connectionTimeout can have ended them.
    expect(timeline(server)).toEqual(["req", "probe", "probe"]);
  });
});

describe("LightningStoreClient transport: connections and headers", () => {
  // Node's fetch hands a socket back to its pool just after the body is read, so back-to-back
  // requests alternate between two pooled connections; without keep-alive there would be 20.
  it("reuses keep-alive connections for sequential requests", async () => {
    const { server, client } = await setup(healthy(() => ({ json: STATISTICS })));
    for (let i = 0; i < 20; i++) await client.statistics();
    expect(server.calls()).toHaveLength(20);
    expect(server.connectionCount()).toBeLessThanOrEqual(2);
  });

  it("keeps the connection after error answers too", async () => {
    let n = 0;
    const { server, client } = await setup(
      healthy(() =>
        ++n % 2 === 1
          ? { status: 404, json: { detail: "x", error_type: "ValueError" } }
          : { json: STATISTICS },
      ),
    );
    for (let i = 0; i < 10; i++) {
      await rejection(client.updateRollout("ro-x", {}));
      await client.statistics();
    }
    expect(server.connectionCount()).toBeLessThanOrEqual(2);
  });

  it("sends Authorization: Bearer <apiKey> on every request, health probes included", async () => {
    let n = 0;
    const { server, client } = await setup(
      healthy(() => (++n === 1 ? { status: 500 } : { json: STATISTICS })),
      {
        apiKey: "s3cret",
      },
    );
    await client.statistics();
    expect(server.requests).toHaveLength(3);
    for (const req of server.requests) expect(req.headers.authorization).toBe("Bearer s3cret");
  });

  it("sends no Authorization header without an apiKey, and JSON content type only with a body", async () => {
    const { server, client } = await setup(
      healthy((req) => ({ json: req.method === "GET" ? STATISTICS : [ROLLOUT] })),
    );
    await client.statistics();
    await client.enqueueRollout({ input: 1 });
    const [get, post] = server.calls();
    expect(get?.headers.authorization).toBeUndefined();
    expect(get?.headers["content-type"]).toBeUndefined();
    expect(get?.rawBody).toBe("");
    expect(post?.headers["content-type"]).toBe("application/json");
  });

  it("uses the injected fetch", async () => {
    const seen: string[] = [];
    const { server, client } = await setup(
      healthy(() => ({ json: STATISTICS })),
      {
        fetch: (input, init) => {
          seen.push(String(input));
          return fetch(input, init);
        },
      },
    );
    await client.statistics();
    expect(seen).toEqual([`${server.url}/v1/agl/statistics`]);
  });

  it("strips trailing slashes of url and builds the OTLP endpoint beside the API", async () => {
    const { server } = await setup(healthy(() => ({ json: STATISTICS })));
    const client = new LightningStoreClient({ url: `${server.url}//` });
    track(client);
    expect(client.url).toBe(server.url);
    expect(client.otlpTracesEndpoint()).toBe(`${server.url}/v1/traces`);
    await client.statistics();
    expect(server.calls()[0]?.path).toBe("/v1/agl/statistics");
    expect(client.capabilities).toEqual({
      thread_safe: true,
      async_safe: true,
      zero_copy: true,
      otlp_traces: true,
    });
  });

  it("refuses bad options", () => {
    expect(() => new LightningStoreClient({ url: "localhost:4747" })).toThrow(/http/);
    expect(() => new LightningStoreClient({ url: "http://h", retryDelays: [-1] })).toThrow(/retryDelays/);
    expect(() => new LightningStoreClient({ url: "http://h", requestTimeout: 0 })).toThrow(/requestTimeout/);
  });
});

describe("LightningStoreClient transport: close", () => {
  it("aborts a request in flight with cancelled, and is idempotent", async () => {
    const { client } = await setup(healthy(() => ({ hang: true })));
    const pending = rejection(client.statistics());
    await new Promise((r) => setTimeout(r, 50));
    // The server never answers: only close() can end the request.
    await client.close();
    await client.close();
    const error = await pending;
    expect(error.code).toBe("cancelled");
  });

  it("aborts a backoff sleep", async () => {
    const { server, client } = await setup(
      healthy(() => ({ status: 500 })),
      { retryDelays: [30] },
    );
    const pending = rejection(client.statistics());
    while (server.probes().length === 0) await new Promise((r) => setTimeout(r, 10));
    await client.close();
    expect((await pending).code).toBe("cancelled");
    expect(server.calls()).toHaveLength(1);
  });

  it("aborts a wait with no timeout", async () => {
    const { client } = await setup(healthy(() => ({ hang: true })));
    const pending = rejection(client.waitForRollouts(["ro-1"]));
    await new Promise((r) => setTimeout(r, 50));
    await client.close();
    expect((await pending).code).toBe("cancelled");
  });

  it("fails calls made after close without sending them", async () => {
    const { server, client } = await setup(healthy(() => ({ json: STATISTICS })));
    await client.close();
    expect((await rejection(client.statistics())).code).toBe("cancelled");
    expect(server.requests).toHaveLength(0);
  });
});
