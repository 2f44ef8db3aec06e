import type {
  AttemptPatch,
  EnqueueRolloutOptions,
  PageOptions,
  QueryResourcesOptions,
  QueryRolloutsOptions,
  QuerySpansOptions,
  QueryWorkersOptions,
  RolloutPatch,
  StartRolloutOptions,
} from "../store.js";

// camelCase store options -> snake_case request bodies of the HTTP API (docs/store-contract.md §4.5, §5.1). Pure
// functions, so the wire shapes can be read (and tested) in one place.

type Body = Record<string, unknown>;

function setIfPresent(body: Body, key: string, value: unknown): void {
  if (value !== undefined && value !== null) body[key] = value;
}

/** One element of `{"rollouts": [...]}`: every key sent, nulls included, as the Python client does. */
export function enqueueItemBody(options: EnqueueRolloutOptions): Body {
  const body: Body = {};
  // A missing `input` stays missing so the server answers "rollouts.0.input: Field required".
  if ("input" in options) body.input = options.input === undefined ? null : options.input;
  body.mode = options.mode ?? null;
  body.resources_id = options.resourcesId ?? null;
  body.config = options.config ?? null;
  body.metadata = options.metadata ?? null;
  return body;
}

/** Body of `POST /rollouts`: the enqueue keys plus `worker_id`. */
export function startRolloutBody(options: StartRolloutOptions): Body {
  return { ...enqueueItemBody(options), worker_id: options.workerId ?? null };
}

/** Body of `POST /queues/rollouts/dequeue`: `worker_id` only when set. */
export function dequeueBody(limit: number, workerId: string | null | undefined): Body {
  const body: Body = { limit };
  setIfPresent(body, "worker_id", workerId);
  return body;
}

/**
 * The limit to send. The HTTP API refuses `limit: 0` (a store answers it with an empty page that
 * still reports `total`), so 0 is sent as 1 and the client empties the page it gets back.
 */
export function wireLimit(limit: number | undefined): number {
  const value = limit ?? -1;
  return value === 0 ? 1 : value;
}

/**
 * Paging and ordering keys. `limit`/`offset` are always sent (also for workers, which the Python
 * client forgets); `sort_by` only when given (null = the server's default order, which is the
 * store's default order), `sort_order` whenever given.
 */
export function pageBody(options: PageOptions): Body {
  const body: Body = { limit: wireLimit(options.limit), offset: options.offset ?? 0 };
  setIfPresent(body, "sort_by", options.sortBy);
  setIfPresent(body, "sort_order", options.sortOrder);
  return body;
}

/** Body of `POST /rollouts/search`. `statusIn: []` is sent (it matches nothing); null is not. */
export function queryRolloutsBody(options: QueryRolloutsOptions): Body {
  const body = pageBody(options);
  body.filter_logic = options.filterLogic ?? "and";
  setIfPresent(body, "status_in", options.statusIn);
  setIfPresent(body, "rollout_id_in", options.rolloutIdIn);
  setIfPresent(body, "rollout_id_contains", options.rolloutIdContains);
  return body;
}

/** Body of `POST /workers/search`. */
export function queryWorkersBody(options: QueryWorkersOptions): Body {
  const body = pageBody(options);
  body.filter_logic = options.filterLogic ?? "and";
  setIfPresent(body, "status_in", options.statusIn);
  setIfPresent(body, "worker_id_contains", options.workerIdContains);
  return body;
}

/** Body of `POST /spans/search`. */
export function querySpansBody(options: QuerySpansOptions): Body {
  const body: Body = { rollout_id: options.rolloutId, ...pageBody(options) };
  body.filter_logic = options.filterLogic ?? "and";
  setIfPresent(body, "attempt_id", options.attemptId);
  setIfPresent(body, "trace_id", options.traceId);
  setIfPresent(body, "trace_id_contains", options.traceIdContains);
  setIfPresent(body, "span_id", options.spanId);
  setIfPresent(body, "span_id_contains", options.spanIdContains);
  setIfPresent(body, "parent_id", options.parentId);
  setIfPresent(body, "parent_id_contains", options.parentIdContains);
  setIfPresent(body, "name", options.name);
  setIfPresent(body, "name_contains", options.nameContains);
  return body;
}

/** Query string of `GET /resources` (the API has no resources search body). */
export function queryResourcesParams(options: QueryResourcesOptions): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(pageBody(options))) params.append(key, String(value));
  if (options.resourcesId != null) params.append("resources_id", options.resourcesId);
  if (options.resourcesIdContains != null)
    params.append("resources_id_contains", options.resourcesIdContains);
  return params;
}

/**
 * Body of `POST /rollouts/{id}`: only the keys present in the patch, explicit nulls kept (the
 * server stores them, or refuses them for `status`/`config`). A present but undefined `input`
 * means null, as in the in-process stores.
 */
export function rolloutPatchBody(patch: RolloutPatch): Body {
  const body: Body = {};
  if ("input" in patch) body.input = patch.input === undefined ? null : patch.input;
  for (const key of ["mode", "resources_id", "status", "config", "metadata"] as const) {
    if (key in patch && patch[key] !== undefined) body[key] = patch[key];
  }
  return body;
}

/** Body of `POST /rollouts/{id}/attempts/{attempt_id}`: only the keys present (nulls are sent and refused). */
export function attemptPatchBody(patch: AttemptPatch): Body {
  const body: Body = {};
  for (const key of ["status", "worker_id", "last_heartbeat_time", "metadata"] as const) {
    if (key in patch && patch[key] !== undefined) body[key] = patch[key];
  }
  return body;
}
