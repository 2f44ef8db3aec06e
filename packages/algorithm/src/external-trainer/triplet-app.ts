import { createHash, timingSafeEqual } from "node:crypto";
import type { LightningStore } from "@agentlightning/store";
import { findFinalReward, LlmProxyTraceToTriplet, TracerTraceToTriplet } from "@agentlightning/tracer";
import {
  AglError,
  type Logger,
  type RolloutStatus,
  type Span,
  silentLogger,
  type Triplet,
  toValidationDetail,
} from "@agentlightning/types";
import * as z from "zod";
import type { SpanAdapter } from "../algorithm.js";

/** The answer for one rollout: its triplets (token ids included) and final reward. */
export interface RolloutTriplets {
  rollout_id: string;
  /** The attempt whose spans were adapted (null when the rollout has none yet). */
  attempt_id: string | null;
  status: RolloutStatus;
  /** Last non-null triplet reward, else the last reward span of the attempt, else null. */
  final_reward: number | null;
  triplets: Triplet[];
  /** Spans of the attempt that were adapted. */
  span_count: number;
}

/** Options of {@link createTripletApp}. */
export interface TripletAppOptions {
  store: LightningStore;
  /**
   * Spans to triplets. Default: per rollout, `LlmProxyTraceToTriplet` when the attempt has spans
   * of the LLM proxy (`litellm_request` / `raw_gen_ai_request`: token ids as the model server
   * returned them), else `TracerTraceToTriplet` (spans of an instrumented client).
   */
  adapter?: SpanAdapter;
  /** When set, requests need `Authorization: Bearer <apiKey>` (use the store server's key). */
  apiKey?: string;
  logger?: Logger;
}

/** Routes of the triplet app; `/agl/v1` works as well as `/v1/agl`, as for the store API. */
const ONE = /^\/(?:v1\/agl|agl\/v1)\/rollouts\/([^/]+)\/triplets$/;
const MANY = /^\/(?:v1\/agl|agl\/v1)\/triplets\/search$/;

const PROXY_SPAN_NAMES = new Set(["litellm_request", "raw_gen_ai_request"]);

const SearchBodySchema = z.object({
  rollout_ids: z.array(z.string()).max(10_000),
  attempt_id: z.string().nullish(),
});

/**
 * Ready-made triplets over HTTP for an external RL trainer (orchestration §3.5): an app served
 * beside the store API by `LightningStoreServer` (`extraApps: [createTripletApp({ store })]`). A
 * TypeScript extension; the Python store has no such route.
 *
 * * `GET /v1/agl/rollouts/{rollout_id}/triplets?attempt_id=latest` → one {@link RolloutTriplets}
 * * `POST /v1/agl/triplets/search` with `{"rollout_ids": [...], "attempt_id": "latest"}` → a list,
 *   in request order, skipping unknown rollouts.
 *
 * `attempt_id` defaults to `latest`. Errors use the store's shapes: 404 `{"detail": ...}` for an
 * unknown rollout or attempt, 422 `{"detail": [...]}` for a bad body, 405 for another method.
 *
 * @example
 * ```ts
 * const server = new LightningStoreServer({ store, port: 4747, extraApps: [createTripletApp({ store })] });
 * await server.start();
 * // curl http://127.0.0.1:4747/v1/agl/rollouts/ro-.../triplets
 * ```
 */
export function createTripletApp(options: TripletAppOptions): {
  matches(path: string): boolean;
  fetch(request: Request): Promise<Response>;
} {
  const { store } = options;
  const tracerAdapter = new TracerTraceToTriplet();
  const proxyAdapter = new LlmProxyTraceToTriplet();
  const adapterFor = (spans: Span[]): SpanAdapter =>
    options.adapter ?? (spans.some((s) => PROXY_SPAN_NAMES.has(s.name)) ? proxyAdapter : tracerAdapter);
  const logger = options.logger ?? silentLogger;
  const expectedKey = options.apiKey === undefined ? null : digest(options.apiKey);

  async function tripletsOf(rolloutId: string, attemptId: string): Promise<RolloutTriplets | null> {
    const rollout = await store.getRolloutById(rolloutId);
    if (rollout === null) return null;
    let resolved: string | null = attemptId;
    if (attemptId === "latest") resolved = (await store.getLatestAttempt(rolloutId))?.attempt_id ?? null;
    const spans = resolved === null ? [] : (await store.querySpans({ rolloutId, attemptId: resolved })).items;
    const triplets = spans.length === 0 ? [] : ((await adapterFor(spans).adapt(spans)) as Triplet[]);
    if (!Array.isArray(triplets)) {
      throw new AglError("internal", "The triplet app's adapter did not return a list of triplets");
    }
    let finalReward: number | null = null;
    for (const triplet of triplets) if (typeof triplet.reward === "number") finalReward = triplet.reward;
    finalReward ??= findFinalReward(spans);
    return {
      rollout_id: rolloutId,
      attempt_id: resolved,
      status: rollout.status,
      final_reward: finalReward,
      triplets,
      span_count: spans.length,
    };
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const one = ONE.exec(url.pathname);
    if (one) {
      if (request.method !== "GET") return json({ detail: "Method Not Allowed" }, 405, { Allow: "GET" });
      const rolloutId = decodeURIComponent(one[1] as string);
      const attemptId = url.searchParams.get("attempt_id") || "latest";
      const result = await tripletsOf(rolloutId, attemptId);
      if (result === null)
        return json({ detail: `Rollout ${rolloutId} not found`, error_type: "ValueError" }, 404);
      return json(result, 200);
    }
    if (request.method !== "POST") return json({ detail: "Method Not Allowed" }, 405, { Allow: "POST" });
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json(
        { detail: [{ type: "json_invalid", loc: ["body"], msg: "JSON decode error", input: null }] },
        422,
      );
    }
    const parsed = SearchBodySchema.safeParse(body);
    if (!parsed.success) return json({ detail: toValidationDetail(parsed.error, "body", body) }, 422);
    const results: RolloutTriplets[] = [];
    for (const rolloutId of parsed.data.rollout_ids) {
      const result = await tripletsOf(rolloutId, parsed.data.attempt_id || "latest");
      if (result !== null) results.push(result);
    }
    return json(results, 200);
  }

  return {
    matches: (path) => ONE.test(path) || MANY.test(path),
    async fetch(request) {
      if (expectedKey !== null) {
        const match = /^Bearer\s+(.+)$/i.exec((request.headers.get("authorization") ?? "").trim());
        if (match?.[1] === undefined || !timingSafeEqual(digest(match[1]), expectedKey)) {
          return json({ detail: "Not authenticated" }, 401, { "WWW-Authenticate": "Bearer" });
        }
      }
      try {
        return await handle(request);
      } catch (error) {
        if (AglError.isInstance(error) && error.code === "not_found") {
          return json({ detail: error.message, error_type: "ValueError" }, 404);
        }
        if (AglError.isInstance(error) && error.code === "invalid_argument")
          return json({ detail: error.message }, 400);
        logger.error(`Triplet app failed on ${request.method} ${request.url}: ${String(error)}`);
        return json(
          { detail: "Internal server error", error_type: error instanceof Error ? error.name : "Error" },
          500,
        );
      }
    },
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
