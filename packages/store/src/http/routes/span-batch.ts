import {
  type AddSpanRequest,
  AddSpanRequestSchema,
  AglError,
  completeSpanRequest,
  nowSeconds,
  type Span,
  SpanSchema,
} from "@agentlightning/types";
import * as z from "zod";
import { markValidatedSpan } from "../../core/normalize.js";
import { addSpansAllocating } from "../../core/span-allocation.js";
import { copyWellFormedSpan } from "../../core/span-fast-path.js";
import { type ApiRoute, defineRoute } from "../api-route.js";

/** Most spans one batch request may carry (a client chunks larger batches). */
export const MAX_SPAN_BATCH = 10_000;

const SpanBatchSchema = z.array(AddSpanRequestSchema);

/**
 * The body as `SpanBatchSchema` parses it, when every element is a complete span (what our client
 * sends; `sequence_id` may be absent): checked without zod. Otherwise undefined: zod parses it.
 */
function fastSpanBatch(value: unknown): AddSpanRequest[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: AddSpanRequest[] = [];
  for (const item of value) {
    const span = copyWellFormedSpan(item, { sequenceIdOptional: true });
    if (span === undefined) return undefined;
    out.push(span);
  }
  return out;
}

/**
 * `POST /spans/batch`: our extension for writers that batch (docs/store-contract.md E13). Every
 * element is validated before anything happens (422 naming `body.<i>.<field>`), then the batch is
 * stored all or nothing in one store call: spans without `sequence_id` get the next numbers of
 * their rollouts in list order, other absent keys the defaults of `POST /spans?defaults=true`.
 */
export const spanBatchRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: "/spans/batch",
    operationId: "addSpanBatch",
    summary: "Store a batch of spans, all or nothing, numbering those without a sequence_id",
    description:
      "The body is a JSON array of spans (at most 10,000). Each element is validated as in " +
      "`POST /spans?defaults=true`: only `rollout_id`, `attempt_id` and `name` are required, absent keys get " +
      "the same defaults, and a span without `sequence_id` gets the next number of its rollout (in list order). " +
      "One invalid element (422) or one unknown rollout or attempt (404) rejects the whole batch: nothing is " +
      "stored and no number is used up. Answers the stored spans, grouped by (rollout, attempt) in order of " +
      "first appearance; a repeat of a stored span (same rollout, attempt and span id) is skipped. " +
      "An extension of this server: the Python v0.3.0 server answers 404 (clients then post span by span).",
    tag: "spans",
    body: SpanBatchSchema,
    bodyRequired: true,
    fastBody: fastSpanBatch,
    status: 201,
    response: z.array(SpanSchema),
    errors: [400, 404, 410],
    handle: async ({ body }, { store }) => {
      if (body.length > MAX_SPAN_BATCH) {
        throw new AglError(
          "invalid_argument",
          `A span batch holds at most ${MAX_SPAN_BATCH} spans, got ${body.length}; split it`,
        );
      }
      const now = nowSeconds();
      // Each element passed the request schema (after the JSON rule) and is completed into a fresh,
      // valid span: the store takes it without validating it a second time (as `POST /spans`).
      const spans: Span[] = body.map((request) =>
        markValidatedSpan(completeSpanRequest(request, { sequenceId: 0, now })),
      );
      return addSpansAllocating(
        store,
        spans,
        body.map((request) => request.sequence_id === undefined),
      );
    },
  }),
];
