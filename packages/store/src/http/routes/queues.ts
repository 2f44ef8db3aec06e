import {
  AttemptedRolloutSchema,
  DequeueBodySchema,
  type EnqueueRolloutRequest,
  EnqueueRolloutsBodySchema,
  RolloutSchema,
} from "@agentlightning/types";
import * as z from "zod";
import type { EnqueueRolloutOptions } from "../../store.js";
import { type ApiRoute, defineRoute } from "../api-route.js";

/** An enqueue element of the wire as the store's camelCase options. */
export function toEnqueueOptions(request: EnqueueRolloutRequest): EnqueueRolloutOptions {
  return {
    input: request.input,
    mode: request.mode,
    resourcesId: request.resources_id,
    config: request.config,
    metadata: request.metadata,
  };
}

/** `POST /queues/rollouts/enqueue` and `POST /queues/rollouts/dequeue`. */
export const queueRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: "/queues/rollouts/enqueue",
    operationId: "enqueueRollouts",
    summary: "Append rollouts to the queue",
    description:
      "One element calls the single-item path, two or more the batch path. All or nothing: any invalid element rejects the whole batch.",
    tag: "queues",
    body: EnqueueRolloutsBodySchema,
    bodyRequired: true,
    status: 201,
    response: z.array(RolloutSchema),
    async handle({ body }, { store }) {
      const requests = body.rollouts.map(toEnqueueOptions);
      const [only] = requests;
      if (requests.length === 1 && only !== undefined) return [await store.enqueueRollout(only)];
      return store.enqueueManyRollouts(requests);
    },
  }),
  defineRoute({
    method: "POST",
    path: "/queues/rollouts/dequeue",
    operationId: "dequeueRollouts",
    summary: "Claim rollouts from the head of the queue",
    description:
      "Never blocks; always answers an array (empty when the queue is empty). `limit <= 0` answers `[]` without touching the store. The body is optional.",
    tag: "queues",
    body: DequeueBodySchema,
    bodyRequired: false,
    status: 200,
    response: z.array(AttemptedRolloutSchema),
    async handle({ body }, { store }) {
      if (body.limit <= 0) return [];
      // An empty worker id is treated as absent (docs/store-contract.md Appendix E2).
      const workerId = body.worker_id === "" ? null : body.worker_id;
      if (body.limit === 1) {
        const claimed = await store.dequeueRollout({ workerId });
        return claimed === null ? [] : [claimed];
      }
      return store.dequeueManyRollouts({ limit: body.limit, workerId });
    },
  }),
];
