import {
  AddSpanRequestSchema,
  completeSpanRequest,
  NextSequenceIdBodySchema,
  NextSequenceIdResponseSchema,
  nowSeconds,
  paginatedResultSchema,
  type QuerySpansBody,
  QuerySpansBodySchema,
  SPAN_SORT_FIELDS,
  type Span,
  SpanSchema,
} from "@agentlightning/types";
import * as z from "zod";
import { markValidatedSpan } from "../../core/normalize.js";
import { addSpansAllocating } from "../../core/span-allocation.js";
import { type ApiRoute, defineRoute, type RouteDeps } from "../api-route.js";
import { checkPageParams, parseWith } from "../validate.js";

const SpanPageSchema = paginatedResultSchema(SpanSchema);

/**
 * `POST /spans?defaults=true` opts in to defaults for a hand-written span. Without it every key of
 * a stored span is required, as the contract and upstream say (checklist #79: a span missing
 * `parent_id`, `context` or `start_time` is a 422), so a conformance check or a client relying on
 * that rejection sees no difference.
 */
const AddSpanQuerySchema = z.object({ defaults: z.enum(["true", "false"]).optional() });

/** The keys every stored span has (all required on the wire, several nullable). */
const SPAN_KEYS = Object.keys(SpanSchema.shape);

async function querySpans(query: QuerySpansBody, { store }: RouteDeps) {
  checkPageParams(query, SPAN_SORT_FIELDS);
  return store.querySpans({
    rolloutId: query.rollout_id,
    attemptId: query.attempt_id,
    traceId: query.trace_id,
    traceIdContains: query.trace_id_contains,
    spanId: query.span_id,
    spanIdContains: query.span_id_contains,
    parentId: query.parent_id,
    parentIdContains: query.parent_id_contains,
    name: query.name,
    nameContains: query.name_contains,
    filterLogic: query.filter_logic,
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
    limit: query.limit,
    offset: query.offset,
  });
}

/** Span endpoints (there is no `/spans/:id`, so `search` and `next` shadow nothing). */
export const spanRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: "/spans",
    operationId: "addSpan",
    summary: "Store one span (a heartbeat of its attempt)",
    description:
      "Answers the stored span, or null when the same span id was already stored for the attempt. " +
      "Every key of a span is required (422 naming the missing one), unless the query says " +
      "`defaults=true`: then only `rollout_id`, `attempt_id` and `name` are required and absent keys get defaults: " +
      "`sequence_id` allocated as by `POST /spans/next`, random `trace_id` / `span_id`, `parent_id` null, " +
      "status `UNSET`, no attributes/events/links, `start_time` and `end_time` = arrival time, `context` " +
      "from the two ids, `parent` from `parent_id`, an empty resource. Keys that are present (explicit " +
      "nulls included) are stored as sent.",
    tag: "spans",
    body: AddSpanRequestSchema,
    bodyRequired: true,
    query: AddSpanQuerySchema,
    status: 201,
    response: SpanSchema.nullable(),
    errors: [404, 410],
    handle: async ({ body, rawBody, query }, { store }) => {
      if (query?.defaults !== "true") {
        // Present keys were validated by the request schema; only absence is left to reject.
        if (SPAN_KEYS.some((key) => !(key in rawBody))) parseWith(SpanSchema, rawBody, "body");
        // `body` is the request schema's fresh copy with every key present: a valid span, so a store
        // of this package takes it without validating (and copying) it a second time.
        return store.addSpan(markValidatedSpan(body as Span));
      }
      // A hand-written span without a number gets the next one of its rollout, allocated only once
      // the span passed every check (a refused span uses up no number).
      const span = completeSpanRequest(body, { sequenceId: body.sequence_id ?? 0, now: nowSeconds() });
      const [stored] = await addSpansAllocating(store, [span], [body.sequence_id === undefined]);
      return stored ?? null;
    },
  }),
  defineRoute({
    method: "GET",
    path: "/spans",
    operationId: "querySpans",
    summary: "Filter, sort and page the spans of one rollout (default order: sequence_id)",
    description: "`rollout_id` is required; `attempt_id` may be `latest`.",
    tag: "spans",
    query: QuerySpansBodySchema,
    status: 200,
    response: SpanPageSchema,
    errors: [400, 410],
    handle: ({ query }, deps) => querySpans(query, deps),
  }),
  defineRoute({
    method: "POST",
    path: "/spans/search",
    operationId: "searchSpans",
    summary: "Filter, sort and page the spans of one rollout (body form)",
    tag: "spans",
    body: QuerySpansBodySchema,
    bodyRequired: true,
    status: 200,
    response: SpanPageSchema,
    errors: [400, 410],
    handle: ({ body }, deps) => querySpans(body, deps),
  }),
  defineRoute({
    method: "POST",
    path: "/spans/next",
    operationId: "nextSpanSequenceId",
    summary: "Allocate the next span sequence id of a rollout",
    tag: "spans",
    body: NextSequenceIdBodySchema,
    bodyRequired: true,
    status: 200,
    response: NextSequenceIdResponseSchema,
    handle: async ({ body }, { store }) => ({
      sequence_id: await store.getNextSpanSequenceId(body.rollout_id, body.attempt_id),
    }),
  }),
];
