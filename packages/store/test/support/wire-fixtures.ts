import { makeSpan } from "../../src/testing/make-span.js";
// Response bodies shaped as the store server sends them (every declared field present), for the
// scripted servers of the client tests.

export const ROLLOUT = {
  rollout_id: "ro-000000000001",
  input: { task: "a" },
  start_time: 1_700_000_000.5,
  end_time: null,
  mode: null,
  resources_id: null,
  status: "queuing",
  config: { timeout_seconds: null, unresponsive_seconds: null, max_attempts: 1, retry_condition: [] },
  metadata: {},
};

export const ATTEMPT = {
  rollout_id: "ro-000000000001",
  attempt_id: "at-00000001",
  sequence_id: 1,
  start_time: 1_700_000_001,
  end_time: null,
  status: "preparing",
  worker_id: null,
  last_heartbeat_time: null,
  metadata: null,
};

export const ATTEMPTED_ROLLOUT = { ...ROLLOUT, status: "preparing", attempt: ATTEMPT };

export const WORKER = {
  worker_id: "w1",
  status: "unknown",
  heartbeat_stats: null,
  last_heartbeat_time: 1_700_000_002,
  last_dequeue_time: null,
  last_busy_time: null,
  last_idle_time: null,
  current_rollout_id: null,
  current_attempt_id: null,
};

export const RESOURCES = {
  resources_id: "rs-000000000001",
  create_time: 1_700_000_003,
  update_time: 1_700_000_003,
  version: 1,
  resources: {
    llm: {
      resource_type: "llm",
      endpoint: "http://h/v1",
      model: "m",
      api_key: null,
      sampling_parameters: {},
    },
  },
};

/** The §6 SPAN(r,a,n) of a fixed rollout/attempt, as a plain JSON object. */
export function span(sequenceId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...makeSpan("ro-000000000001", "at-00000001", sequenceId),
    status: { status_code: "OK", description: null },
    ...overrides,
  };
}

export const STATISTICS = {
  name: "InMemoryLightningStore",
  total_rollouts: 0,
  total_attempts: 0,
  total_spans: 0,
  total_resources: 0,
  total_workers: 0,
  uptime: 1.5,
};

export function page<T>(
  items: T[],
  limit = -1,
  offset = 0,
): { items: T[]; limit: number; offset: number; total: number } {
  return { items, limit, offset, total: items.length };
}
