import type { LightningStore } from "@agentlightning/store";
import type { Logger } from "@agentlightning/types";

/**
 * Marks failed the attempts still `preparing`/`running` that started at or after `since` (seconds):
 * called once every runner process of the run has exited, when nobody can finish them any more
 * (a runner was killed mid-rollout). The store then fails the rollout, or requeues it when its
 * retry configuration allows. Returns the rollout ids it touched.
 */
export async function failMaroonedAttempts(
  store: LightningStore,
  since: number,
  logger: Logger,
): Promise<string[]> {
  const touched: string[] = [];
  const { items } = await store.queryRollouts({ statusIn: ["preparing", "running"] });
  for (const rollout of items) {
    const attempt = await store.getLatestAttempt(rollout.rollout_id);
    if (attempt === null || attempt.start_time < since) continue;
    if (attempt.status !== "preparing" && attempt.status !== "running") continue;
    try {
      await store.updateAttempt(rollout.rollout_id, attempt.attempt_id, {
        status: "failed",
        metadata: {
          ...(attempt.metadata ?? {}),
          stopped_by: "trainer shutdown: its runner process was stopped",
        },
      });
      touched.push(rollout.rollout_id);
    } catch (error) {
      logger.error(
        `Could not mark attempt ${attempt.attempt_id} of rollout ${rollout.rollout_id} failed.`,
        error,
      );
    }
  }
  if (touched.length > 0) {
    logger.warn(
      `Marked ${touched.length} attempt(s) failed whose runner was stopped mid-rollout: ${touched.join(", ")}.`,
    );
  }
  return touched;
}
