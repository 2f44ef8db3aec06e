import type {
  Attempt,
  PaginatedResult,
  ResourcesUpdate,
  RolloutOrAttempted,
  Span,
  Worker,
} from "@agentlightning/types";
import type { AuthHeader } from "./settings.js";

/** A failed call to the store: HTTP status (0 = network) and the server's `detail`. */
export class StoreApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "StoreApiError";
  }
}

/** Token counts of a rollout (extension `rollouts/summaries`). */
export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Aggregates of a rollout's latest attempt, from the extension `POST /v1/agl/ext/rollouts/summaries`. */
export interface RolloutSummary {
  rollout_id: string;
  attempt_count: number;
  span_count: number;
  llm_call_count: number;
  error_span_count: number;
  final_reward: number | null;
  token_usage: TokenUsage;
  first_span_time: number | null;
  last_span_time: number | null;
}

/** One finished rollout's final reward, from the extension `GET /v1/agl/ext/rewards`. */
export interface RewardPoint {
  rollout_id: string;
  mode: string | null;
  resources_id: string | null;
  end_time: number | null;
  final_reward: number;
}

/** `GET /v1/agl/statistics`. */
export interface StoreStatistics {
  name: string;
  total_rollouts: number;
  total_attempts: number;
  total_spans: number;
  total_resources: number;
  total_workers: number;
  uptime: number;
  [key: string]: unknown;
}

/** Rollout query parameters (docs/store-contract.md §4.3, §4.5 #5). */
export interface RolloutQuery {
  statusIn?: readonly string[];
  rolloutIdContains?: string;
  sortBy?: string;
  sortOrder?: "asc" | "desc";
  limit: number;
  offset: number;
}

/** Cross-rollout span search (extension `GET /v1/agl/ext/spans`). */
export interface SpanSearch {
  name?: string;
  nameContains?: string;
  attributeKey?: string;
  attributeValue?: string;
  statusCode?: string;
  rolloutId?: string;
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

/** How to reach a store server. */
export interface StoreApiOptions {
  /** Base URL without `/v1/agl` (`http://127.0.0.1:4747`). */
  baseUrl: string;
  apiKey?: string;
  authHeader?: AuthHeader;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | readonly string[] | null | undefined>;

function queryString(query: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function detailText(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail))
      return detail
        .map((d) =>
          d && typeof d === "object" && "msg" in d
            ? `${(d.loc ?? []).join(".")}: ${d.msg}`
            : JSON.stringify(d),
        )
        .join("; ");
  }
  return fallback;
}

/**
 * The store HTTP API as the dashboard uses it (docs/store-contract.md §4): the Python-compatible
 * routes plus our read-only extensions under `/v1/agl/ext`, which answer 404 on a server without
 * them (a Python v0.3.0 store): the `ext*` methods then return null and the pages hide what
 * needs them.
 */
export class StoreApi {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;

  constructor(options: StoreApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.headers = { accept: "application/json" };
    if (options.apiKey) {
      if (options.authHeader === "x-api-key") this.headers["x-api-key"] = options.apiKey;
      else this.headers.authorization = `Bearer ${options.apiKey}`;
    }
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
  }

  private async call<T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = `${this.baseUrl}/v1/agl${path}`;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new StoreApiError(
        0,
        `Cannot reach the store at ${this.baseUrl} (${(error as Error).message})`,
        path,
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok)
          throw new StoreApiError(
            response.status,
            `The store answered ${path} with something other than JSON`,
            path,
          );
      }
    }
    if (!response.ok) {
      const fallback = `${response.status} ${response.statusText}`.trim();
      throw new StoreApiError(response.status, detailText(parsed, fallback), path);
    }
    return parsed as T;
  }

  /** Like `call`, but null when the route does not exist on this server (404 "Not Found"). */
  private async optional<T>(method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal) {
    try {
      return await this.call<T>(method, path, body, signal);
    } catch (error) {
      if (error instanceof StoreApiError && (error.status === 404 || error.status === 405)) return null;
      throw error;
    }
  }

  health(signal?: AbortSignal) {
    return this.call<{ status: string }>("GET", "/health", undefined, signal);
  }

  statistics(signal?: AbortSignal) {
    return this.call<StoreStatistics>("GET", "/statistics", undefined, signal);
  }

  queryRollouts(q: RolloutQuery, signal?: AbortSignal) {
    const query: Query = {
      status_in: q.statusIn,
      rollout_id_contains: q.rolloutIdContains,
      sort_by: q.sortBy,
      sort_order: q.sortOrder,
      limit: q.limit,
      offset: q.offset,
    };
    return this.call<PaginatedResult<RolloutOrAttempted>>(
      "GET",
      `/rollouts${queryString(query)}`,
      undefined,
      signal,
    );
  }

  getRollout(rolloutId: string, signal?: AbortSignal) {
    return this.call<RolloutOrAttempted | null>(
      "GET",
      `/rollouts/${encodeURIComponent(rolloutId)}`,
      undefined,
      signal,
    );
  }

  queryAttempts(rolloutId: string, signal?: AbortSignal) {
    return this.call<PaginatedResult<Attempt>>(
      "GET",
      `/rollouts/${encodeURIComponent(rolloutId)}/attempts?limit=-1`,
      undefined,
      signal,
    );
  }

  /**
   * The spans of one attempt (or of the rollout when `attemptId` is null) by sequence id; all of
   * them unless a page is given.
   */
  querySpans(
    rolloutId: string,
    attemptId: string | null,
    signal?: AbortSignal,
    page = { limit: -1, offset: 0 },
  ) {
    const query: Query = {
      rollout_id: rolloutId,
      attempt_id: attemptId,
      limit: page.limit,
      offset: page.offset || undefined,
    };
    return this.call<PaginatedResult<Span>>("GET", `/spans${queryString(query)}`, undefined, signal);
  }

  queryResources(signal?: AbortSignal) {
    return this.call<PaginatedResult<ResourcesUpdate>>("GET", "/resources?limit=-1", undefined, signal);
  }

  latestResources(signal?: AbortSignal) {
    return this.call<ResourcesUpdate | null>("GET", "/resources/latest", undefined, signal);
  }

  queryWorkers(q: { statusIn?: readonly string[]; workerIdContains?: string }, signal?: AbortSignal) {
    const query: Query = { status_in: q.statusIn, worker_id_contains: q.workerIdContains, limit: -1 };
    return this.call<PaginatedResult<Worker>>("GET", `/workers${queryString(query)}`, undefined, signal);
  }

  /** Next sequence id of an attempt's spans (`POST /spans/next`). */
  nextSequenceId(rolloutId: string, attemptId: string) {
    return this.call<{ sequence_id: number }>("POST", "/spans/next", {
      rollout_id: rolloutId,
      attempt_id: attemptId,
    });
  }

  /**
   * Writes a span. All 16 keys are sent, so a Python v0.3.0 server (which requires them) accepts
   * it too; `?defaults=true` lets our server fill anything left out (E8).
   */
  addSpan(span: Span) {
    return this.call<Span | null>("POST", "/spans?defaults=true", span);
  }

  /** Extension: aggregates per rollout, or null when the server lacks the extension. */
  async extRolloutSummaries(rolloutIds: readonly string[], signal?: AbortSignal) {
    if (rolloutIds.length === 0) return new Map<string, RolloutSummary>();
    const body = await this.optional<{ items: RolloutSummary[] }>(
      "POST",
      "/ext/rollouts/summaries",
      { rollout_ids: rolloutIds.slice(0, 500) },
      signal,
    );
    if (body === null) return null;
    return new Map(body.items.map((s) => [s.rollout_id, s]));
  }

  /** Extension: spans across rollouts, newest first, or null when the server lacks it. */
  extSearchSpans(q: SpanSearch, signal?: AbortSignal) {
    const query: Query = {
      name: q.name,
      name_contains: q.nameContains,
      attribute_key: q.attributeKey,
      attribute_value: q.attributeValue,
      status_code: q.statusCode,
      rollout_id: q.rolloutId,
      since: q.since,
      until: q.until,
      limit: q.limit,
      offset: q.offset,
    };
    return this.optional<PaginatedResult<Span>>("GET", `/ext/spans${queryString(query)}`, undefined, signal);
  }

  /** Extension: final rewards of finished rollouts, oldest first, or null when the server lacks it. */
  extRewards(q: { mode?: string; since?: number; limit?: number }, signal?: AbortSignal) {
    const query: Query = { mode: q.mode, since: q.since, limit: q.limit };
    return this.optional<{ items: RewardPoint[] }>(
      "GET",
      `/ext/rewards${queryString(query)}`,
      undefined,
      signal,
    );
  }
}
