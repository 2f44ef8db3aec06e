import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  AttemptedRolloutSchema,
  AttemptSchema,
  AttemptStatusSchema,
  EnqueueRolloutRequestSchema,
  GenericResponseSchema,
  LegacyResourcesUpdateSchema,
  NamedResourcesSchema,
  paginatedResultSchema,
  ResourcesUpdateSchema,
  RolloutConfigSchema,
  RolloutLegacySchema,
  RolloutModeSchema,
  RolloutOrAttemptedSchema,
  RolloutRequestSchema,
  RolloutSchema,
  RolloutStatusSchema,
  SpanSchema,
  StatusCodeSchema,
  TaskIfAnySchema,
  TripletSchema,
  WorkerSchema,
  WorkerStatusSchema,
} from "../src/index.js";

// Fixtures are JSON exactly as the Python Agent Lightning (v0.3.0) serialises it: every declared
// key present, nulls included, Python floats like 1.0. A round trip must give the same value back.
function fixture(name: string): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

const roundTrip = (schema: { parse(v: unknown): unknown }, value: unknown) =>
  JSON.parse(JSON.stringify(schema.parse(value)));

describe("rollouts", () => {
  const f = fixture("rollout");

  it("round-trips a queued rollout and an attempted rollout unchanged", () => {
    expect(roundTrip(RolloutSchema, f.queued)).toEqual(f.queued);
    expect(roundTrip(AttemptedRolloutSchema, f.attempted)).toEqual(f.attempted);
    expect(roundTrip(RolloutSchema, f.null_input_null_metadata)).toEqual(f.null_input_null_metadata);
  });

  it("fills every default of a minimal rollout", () => {
    expect(RolloutSchema.parse(f.minimal)).toEqual({
      rollout_id: "ro-000000000000",
      input: "x",
      start_time: 2,
      end_time: null,
      mode: null,
      resources_id: null,
      status: "queuing",
      config: { timeout_seconds: null, unresponsive_seconds: null, max_attempts: 1, retry_condition: [] },
      metadata: {},
    });
  });

  it("keeps the attempt key absent for a rollout without attempts and present otherwise", () => {
    const plain = RolloutOrAttemptedSchema.parse(f.queued);
    expect("attempt" in plain).toBe(false);
    expect(JSON.stringify(plain)).not.toContain('"attempt"');
    const attempted = RolloutOrAttemptedSchema.parse(f.attempted);
    expect(attempted.attempt?.attempt_id).toBe("at-deadbeef");
  });

  it("rejects an attempt sent as null (the Python client cannot parse it)", () => {
    expect(RolloutOrAttemptedSchema.safeParse({ ...f.queued, attempt: null }).success).toBe(false);
  });

  it("drops unknown keys of rollouts and configs", () => {
    const parsed = RolloutSchema.parse({ ...f.queued, extra: 1, config: { max_attempts: 2, foo: true } });
    expect(parsed).not.toHaveProperty("extra");
    expect(parsed.config).toEqual({
      timeout_seconds: null,
      unresponsive_seconds: null,
      max_attempts: 2,
      retry_condition: [],
    });
  });

  it("parses attempts with defaults", () => {
    const attempt = AttemptSchema.parse({
      rollout_id: "r",
      attempt_id: "at-00000000",
      sequence_id: 1,
      start_time: 5,
    });
    expect(attempt).toEqual({
      rollout_id: "r",
      attempt_id: "at-00000000",
      sequence_id: 1,
      start_time: 5,
      end_time: null,
      status: "preparing",
      worker_id: null,
      last_heartbeat_time: null,
      metadata: null,
    });
  });
});

describe("enumerations accept every value of the spec and nothing else", () => {
  const cases: [
    string,
    { options: readonly string[]; safeParse(v: unknown): { success: boolean } },
    string[],
  ][] = [
    [
      "RolloutStatus",
      RolloutStatusSchema,
      ["queuing", "preparing", "running", "failed", "succeeded", "cancelled", "requeuing"],
    ],
    [
      "AttemptStatus",
      AttemptStatusSchema,
      ["preparing", "running", "failed", "succeeded", "unresponsive", "timeout"],
    ],
    ["WorkerStatus", WorkerStatusSchema, ["idle", "busy", "unknown"]],
    ["RolloutMode", RolloutModeSchema, ["train", "val", "test"]],
    ["StatusCode", StatusCodeSchema, ["UNSET", "OK", "ERROR"]],
  ];
  for (const [name, schema, values] of cases) {
    it(name, () => {
      expect([...schema.options]).toEqual(values);
      for (const v of values) expect(schema.safeParse(v).success).toBe(true);
      expect(schema.safeParse("bogus").success).toBe(false);
      expect(
        schema.safeParse(
          values[0]?.toUpperCase() === values[0] ? values[0]?.toLowerCase() : values[0]?.toUpperCase(),
        ).success,
      ).toBe(false);
    });
  }

  it("attempt statuses exclude queuing, requeuing and cancelled", () => {
    for (const v of ["queuing", "requeuing", "cancelled"])
      expect(AttemptStatusSchema.safeParse(v).success).toBe(false);
  });

  it("every status round-trips through a rollout, an attempt and a worker", () => {
    const f = fixture("rollout");
    for (const status of RolloutStatusSchema.options) {
      expect(RolloutSchema.parse({ ...f.queued, status }).status).toBe(status);
    }
    for (const status of AttemptStatusSchema.options) {
      const attempt = { ...(f.attempted as { attempt: object }).attempt, status };
      expect(AttemptSchema.parse(attempt).status).toBe(status);
    }
    for (const status of WorkerStatusSchema.options) {
      expect(WorkerSchema.parse({ worker_id: "w", status }).status).toBe(status);
    }
    for (const mode of [...RolloutModeSchema.options, null]) {
      expect(RolloutSchema.parse({ ...f.queued, mode }).mode).toBe(mode);
    }
  });
});

describe("rollout config", () => {
  it("rejects max_attempts below 1 and non-integers, naming the field", () => {
    for (const bad of [0, -1, 1.5, "2"]) {
      const r = RolloutConfigSchema.safeParse({ max_attempts: bad });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["max_attempts"]);
    }
  });

  it("rejects a retry condition that is not an attempt status", () => {
    const r = RolloutConfigSchema.safeParse({ retry_condition: ["cancelled"] });
    expect(r.error?.issues[0]?.path).toEqual(["retry_condition", 0]);
  });
});

describe("enqueue and start requests", () => {
  it("requires the input key but allows null", () => {
    expect(EnqueueRolloutRequestSchema.safeParse({}).success).toBe(false);
    expect(EnqueueRolloutRequestSchema.parse({ input: null })).toEqual({
      input: null,
      mode: null,
      resources_id: null,
      config: null,
      metadata: null,
    });
  });

  it("accepts explicit nulls for every optional key, as the Python client sends them", () => {
    const body = {
      input: { q: 1 },
      mode: null,
      resources_id: null,
      config: null,
      metadata: null,
      worker_id: null,
    };
    expect(RolloutRequestSchema.parse(body)).toEqual(body);
  });

  it("rejects an unknown mode", () => {
    expect(EnqueueRolloutRequestSchema.safeParse({ input: 1, mode: "prod" }).success).toBe(false);
  });
});

describe("spans", () => {
  const f = fixture("span");

  it("round-trips a full Python span, keeping extra keys", () => {
    expect(roundTrip(SpanSchema, f.full)).toEqual(f.full);
  });

  it("round-trips a span whose nullable keys are null", () => {
    expect(roundTrip(SpanSchema, f.nulls)).toEqual(f.nulls);
  });

  it("keeps unknown keys of status, context, events and links; drops them from the resource", () => {
    const full = f.full as Record<string, unknown>;
    const span = SpanSchema.parse({
      ...full,
      status: { status_code: "OK", description: null, x: 1 },
      events: [{ name: "e", attributes: {}, timestamp: null, y: 2 }],
      resource: { attributes: {}, schema_url: "", z: 3 },
    });
    expect(span.status).toEqual({ status_code: "OK", description: null, x: 1 });
    expect(span.events[0]).toEqual({ name: "e", attributes: {}, timestamp: null, y: 2 });
    expect(span.resource).toEqual({ attributes: {}, schema_url: "" });
  });

  it("requires the nullable keys to be present", () => {
    for (const key of ["parent_id", "context", "start_time", "end_time", "parent"]) {
      const { [key]: _, ...rest } = f.nulls as Record<string, unknown>;
      const r = SpanSchema.safeParse(rest);
      expect(r.success, key).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual([key]);
    }
  });

  it("rejects object, null and mixed-array attribute values", () => {
    for (const bad of [{ a: 1 }, null, [1, "two"], [true, 1]]) {
      const r = SpanSchema.safeParse({ ...(f.nulls as object), attributes: { bad } });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["attributes", "bad"]);
    }
  });

  it("rejects a negative sequence id", () => {
    expect(SpanSchema.safeParse({ ...(f.nulls as object), sequence_id: -1 }).success).toBe(false);
  });
});

describe("resources", () => {
  const f = fixture("resources");

  it("round-trips a snapshot with every resource variant", () => {
    expect(roundTrip(ResourcesUpdateSchema, f.update)).toEqual(f.update);
  });

  it("fills api_key and sampling_parameters of LLMs and drops unknown keys", () => {
    const parsed = NamedResourcesSchema.parse({
      m: { resource_type: "llm", endpoint: "e", model: "m", extra: 1 },
    });
    expect(parsed.m).toEqual({
      resource_type: "llm",
      endpoint: "e",
      model: "m",
      api_key: null,
      sampling_parameters: {},
    });
  });

  it("rejects a missing model, an unknown resource_type and a missing resource_type", () => {
    const noModel = NamedResourcesSchema.safeParse({ x: { resource_type: "llm", endpoint: "e" } });
    expect(noModel.error?.issues[0]?.path).toEqual(["x", "model"]);
    expect(NamedResourcesSchema.safeParse({ x: { resource_type: "gpu" } }).success).toBe(false);
    expect(NamedResourcesSchema.safeParse({ x: { endpoint: "e", model: "m" } }).success).toBe(false);
    expect(
      NamedResourcesSchema.safeParse({
        x: { resource_type: "prompt_template", template: "t", engine: "mustache" },
      }).success,
    ).toBe(false);
  });
});

describe("workers and pages", () => {
  const f = fixture("worker");

  it("round-trips workers", () => {
    expect(roundTrip(WorkerSchema, f.busy)).toEqual(f.busy);
    expect(roundTrip(WorkerSchema, f.fresh)).toEqual(f.fresh);
  });

  it("parses a paginated result of workers", () => {
    const page = { items: [f.busy, f.fresh], limit: -1, offset: 0, total: 2 };
    expect(roundTrip(paginatedResultSchema(WorkerSchema), page)).toEqual(page);
    expect(paginatedResultSchema(WorkerSchema).safeParse({ items: [] }).success).toBe(false);
  });
});

describe("legacy models", () => {
  const f = fixture("legacy");

  it("round-trips tasks, rollouts and generic responses", () => {
    expect(roundTrip(TaskIfAnySchema, f.task_available)).toEqual(f.task_available);
    expect(roundTrip(TaskIfAnySchema, f.task_none)).toEqual(f.task_none);
    expect(roundTrip(RolloutLegacySchema, f.rollout)).toEqual(f.rollout);
    expect(roundTrip(GenericResponseSchema, f.generic)).toEqual(f.generic);
  });

  it("fills defaults: task null, triplet reward null and metadata {}", () => {
    expect(TaskIfAnySchema.parse(f.task_none_short)).toEqual({ is_available: false, task: null });
    const rollout = RolloutLegacySchema.parse(f.rollout_tokens);
    expect(rollout.final_reward).toBeNull();
    expect(rollout.metadata).toEqual({});
    expect(rollout.triplets?.[0]).toEqual({
      prompt: { token_ids: [1, 2, 3] },
      response: { token_ids: [4, 5] },
      reward: null,
      metadata: {},
    });
  });

  it("parses legacy resources bundles of v0.2.2 (no times) and v0.3.0", () => {
    expect(LegacyResourcesUpdateSchema.parse(f.resources_v022).resources.p?.resource_type).toBe(
      "prompt_template",
    );
    expect(LegacyResourcesUpdateSchema.parse(f.resources_v030).version).toBe(1);
  });

  it("rejects a rollout without rollout_id and a triplet without response", () => {
    expect(RolloutLegacySchema.safeParse({ final_reward: 1 }).error?.issues[0]?.path).toEqual(["rollout_id"]);
    expect(TripletSchema.safeParse({ prompt: "p" }).error?.issues[0]?.path).toEqual(["response"]);
  });
});
