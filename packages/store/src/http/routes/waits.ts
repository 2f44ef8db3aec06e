import { type Rollout, RolloutSchema, WaitForRolloutsBodySchema } from "@agentlightning/types";
import * as z from "zod";
import type { LightningStore } from "../../store.js";
import { type ApiRoute, defineRoute } from "../api-route.js";

/**
 * Waits for rollouts to finish, ending early when `signal` aborts (client gone, server stopping):
 * then it answers what is finished at that moment. The store gets the signal too, so a store that
 * supports it releases its waiter at once.
 */
export async function waitForRollouts(
  store: LightningStore,
  rolloutIds: string[],
  timeout: number | null,
  signal: AbortSignal,
): Promise<Rollout[]> {
  if (signal.aborted) return store.waitForRollouts(rolloutIds, { timeout: 0 });
  let onAbort = (): void => {};
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const waiting = store.waitForRollouts(rolloutIds, { timeout, signal });
  try {
    const winner = await Promise.race([waiting, aborted]);
    if (winner !== "aborted") return winner;
    waiting.catch(() => {});
    return store.waitForRollouts(rolloutIds, { timeout: 0 });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** `POST /waits/rollouts`: long-polls without blocking other requests. */
export const waitRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: "/waits/rollouts",
    operationId: "waitForRollouts",
    summary: "Wait until the rollouts finish or the timeout passes",
    description:
      "Answers the finished rollouts (without `attempt`) in request order; unknown ids are omitted. `timeout` in seconds, null = no limit. Other requests are served meanwhile.",
    tag: "waits",
    body: WaitForRolloutsBodySchema,
    bodyRequired: true,
    status: 200,
    response: z.array(RolloutSchema),
    handle: ({ body, signal }, { store }) => waitForRollouts(store, body.rollout_ids, body.timeout, signal),
  }),
];
